// The redirect URIs each app registered (an app is an account's client_id), in their order.
import type { Db } from "../store.ts";

export async function findRedirectUris(db: Db, userId: number): Promise<string[]> {
  const rows = await db
    .selectFrom("app_redirect_uri")
    .select("uri")
    .where("user_id", "=", userId)
    .orderBy("position")
    .execute();
  return rows.map((row) => row.uri);
}

/** Replaces an app's URIs with these; two statements, so run it inside a transaction. */
export async function replaceRedirectUris(
  db: Db,
  userId: number,
  uris: readonly string[],
): Promise<void> {
  await db.deleteFrom("app_redirect_uri").where("user_id", "=", userId).execute();
  if (uris.length === 0) return;
  await db
    .insertInto("app_redirect_uri")
    .values(uris.map((uri, position) => ({ user_id: userId, position, uri })))
    .execute();
}

/** Every app's URIs, in their order, by account: the sandbox's export. */
export async function allRedirectUris(db: Db): Promise<Map<number, string[]>> {
  const rows = await db
    .selectFrom("app_redirect_uri")
    .selectAll()
    .orderBy("user_id")
    .orderBy("position")
    .execute();
  const byAccount = new Map<number, string[]>();
  for (const row of rows) {
    const userId = Number(row.user_id);
    const uris = byAccount.get(userId);
    if (uris) uris.push(row.uri);
    else byAccount.set(userId, [row.uri]);
  }
  return byAccount;
}
