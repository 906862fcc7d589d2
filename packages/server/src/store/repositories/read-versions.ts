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

/** One statement per number of scopes, built on first use. */
const readVersionsStatements = new Map<number, ReturnType<typeof readVersionsStatement>>();

/** `SELECT (version of scope 0), …, (version of scope n-1), (world)`: always one row. */
function readVersionsStatement(count: number) {
  const names = Array.from({ length: count }, (_, i) => `s${i}`);
  return precompiled([...names, "worldKey"], (db, v) =>
    db.selectNoFrom((eb) => [
      ...names.map((name, i) =>
        eb
          .selectFrom("read_version")
          .select("version")
          .where("scope", "=", v[name] as never)
          .as(`v${i}`),
      ),
      eb
        .selectFrom("setting")
        .select("value")
        .where("key", "=", v.worldKey as never)
        .as("world"),
    ]),
  );
}

/**
 * Each scope's version and the world's, in one statement: for each scope, in order, one string;
 * the same string means nothing the scope shows changed (0 for a scope no change has touched in
 * this world).
 */
export async function readVersionsOf(
  db: Db,
  scopes: readonly string[],
  worldKey: string,
): Promise<string[]> {
  let statement = readVersionsStatements.get(scopes.length);
  if (!statement) {
    statement = readVersionsStatement(scopes.length);
    readVersionsStatements.set(scopes.length, statement);
  }
  const values: Record<string, unknown> = { worldKey };
  scopes.forEach((scope, i) => {
    values[`s${i}`] = scope;
  });
  const { rows } = await statement(db, values);
  const row = rows[0] as Record<string, number | string | null> | undefined;
  const world = row?.world ?? "";
  return scopes.map((_, i) => `${row?.[`v${i}`] ?? 0}:${world}`);
}
