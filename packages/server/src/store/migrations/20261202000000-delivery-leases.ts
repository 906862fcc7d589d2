// Several nodes on one database: a pending delivery is leased by the node that sends it
// (`leased_by`, the node's id kept in its data dir) until `lease_until_ms` (real time, not the
// sandbox clock), so that no other node sends it meanwhile. When the holder dies, the lease runs
// out and another node takes the delivery over; when it restarts, it releases its own at once.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema.alterTable("webhook_delivery").addColumn("lease_until_ms", "bigint").execute();
  await db.schema.alterTable("webhook_delivery").addColumn("leased_by", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("webhook_delivery").dropColumn("leased_by").execute();
  await db.schema.alterTable("webhook_delivery").dropColumn("lease_until_ms").execute();
}
