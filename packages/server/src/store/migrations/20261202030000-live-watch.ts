// Until when some node has watchers of the sandbox's live events (domain/cluster/cluster-sync.ts):
// the other nodes relay their events while it lies ahead. It was a row of `setting`, the world's
// table, where a reset dropped it and tests comparing the world before and after a request saw it
// move; it is the server's bookkeeping, kept through a reset like the rate limits' counts.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("live_watch")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("watched_until_ms", "bigint", (c) => c.notNull())
    .execute();
  await sql`delete from setting where key = 'live_watched_until_ms'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("live_watch").execute();
}
