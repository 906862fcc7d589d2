// The sandbox's delivery log lists deliveries newest first, of one account or of all. Without an
// index for that order it read and sorted the whole outbox: 0.1 to 0.4 s a page at 200,000
// deliveries. Both keys grow with time, so each new delivery adds its entries at the end, to
// pages the same commit already writes.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("webhook_delivery_log")
    .on("webhook_delivery")
    .columns(["created_ms", "position"])
    .execute();
  await db.schema
    .createIndex("webhook_delivery_log_by_account")
    .on("webhook_delivery")
    .columns(["user_id", "created_ms", "position"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("webhook_delivery_log_by_account").execute();
  await db.schema.dropIndex("webhook_delivery_log").execute();
}
