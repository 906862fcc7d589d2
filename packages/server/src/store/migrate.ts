// Brings a database to the latest schema. The same migrations run on SQLite and PostgreSQL (only
// portable column types); on PostgreSQL, Kysely's migrator takes a lock so that nodes starting
// together migrate once.
import type { Kysely } from "kysely";
import { Migrator } from "kysely/migration";
import { MIGRATIONS } from "./migrations/index.ts";
import type { Database } from "./schema.ts";

/**
 * `schema`: where the migrator keeps its own tables (PostgreSQL's current schema). Without it,
 * Kysely looks for them by name in every schema, and a second Beseda in another schema of the
 * same database would take the first one's for its own.
 */
export async function migrateToLatest(db: Kysely<Database>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const cause = error instanceof Error ? error : new Error(String(error ?? "unknown"));
    throw new Error(`migration ${failed?.migrationName ?? ""} failed: ${cause.message}`, { cause });
  }
}
