// The versions of what reads show (see the read-versions migration). A change bumps its scopes in
// sorted order, so that two changes touching the same scopes lock them in the same order.
import { sql } from "kysely";
import { precompiled } from "../precompiled.ts";
import type { Db } from "../store.ts";

/** Inside a change's transaction: each scope's version goes up by one (from 1 if it had none). */
export async function bumpReadVersions(db: Db, scopes: readonly string[]): Promise<void> {
  if (scopes.length === 0) return;
  const sorted = [...new Set(scopes)].sort();
  await db
    .insertInto("read_version")
    .values(sorted.map((scope) => ({ scope, version: 1 })))
    .onConflict((oc) =>
      oc.column("scope").doUpdateSet({ version: sql<number>`read_version.version + 1` }),
    )
    .execute();
}

const readVersion = precompiled(["scope", "worldKey"], (db, v) =>
  db.selectNoFrom((eb) => [
    eb.selectFrom("read_version").select("version").where("scope", "=", v.scope).as("version"),
    eb.selectFrom("setting").select("value").where("key", "=", v.worldKey).as("world"),
  ]),
);

/**
 * The scope's version and the world's in one statement, as one string: the same string means
 * nothing the scope shows changed (0 for a scope no change has touched in this world).
 */
export async function readVersionOf(db: Db, scope: string, worldKey: string): Promise<string> {
  const { rows } = await readVersion(db, { scope, worldKey });
  const row = rows[0] as { version: number | string | null; world: string | null } | undefined;
  return `${row?.version ?? 0}:${row?.world ?? ""}`;
}
