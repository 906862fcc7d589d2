// Secrets shared by the nodes of one store (see the server-secrets migration).
import type { Db } from "../store.ts";

/**
 * The secret named `name`: the one kept, else `made` (kept now). Nodes starting together agree:
 * the first insert wins, the others read it back.
 */
export async function keepSecret(
  db: Db,
  name: string,
  made: string,
): Promise<{ value: string; generated: boolean }> {
  const inserted = await db
    .insertInto("server_secret")
    .values({ name, value: made })
    .onConflict((oc) => oc.column("name").doNothing())
    .executeTakeFirst();
  const row = await db
    .selectFrom("server_secret")
    .select("value")
    .where("name", "=", name)
    .executeTakeFirstOrThrow();
  return { value: row.value, generated: Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 };
}
