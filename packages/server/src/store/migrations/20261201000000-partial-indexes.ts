// Indexes that hold only the rows their queries look for, so that a write that no query looks
// for touches no index page (every page a commit touches is written to the WAL and again to the
// database file).
// - The outbox's two indexes hold only unfinished deliveries. Each used to keep every delivery
//   ever made, so each delivery, queued, promoted and finished, moved entries through ever
//   larger b-trees; now they stay as small as the backlog and their pages stay in cache.
//   Queries that want them repeat the index's condition as written (see
//   repositories/webhook-records.ts): a bound parameter does not prove it to SQLite's or PostgreSQL's planner.
// - Messages are looked up by attachment only for image and voice messages: text messages, most
//   of them, no longer add an entry.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("message_attachment").execute();
  await db.schema
    .createIndex("message_attachment")
    .on("message")
    .column("attachment_id")
    .where(sql.ref("attachment_id"), "is not", null)
    .execute();
  await db.schema.dropIndex("webhook_delivery_due").execute();
  await db.schema.dropIndex("webhook_delivery_stream").execute();
  // What the dispatcher asks for: pending deliveries by when they fall due.
  await db.schema
    .createIndex("webhook_delivery_due")
    .on("webhook_delivery")
    .column("next_attempt_ms")
    .where(sql.ref("status"), "=", sql.lit("pending"))
    .execute();
  // One account's stream for one chat: its unfinished deliveries (pending or queued: only those
  // have no finished time), in order.
  await db.schema
    .createIndex("webhook_delivery_stream")
    .on("webhook_delivery")
    .columns(["user_id", "chat_id", "position"])
    .where(sql.ref("finished_ms"), "is", null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("message_attachment").execute();
  await db.schema.createIndex("message_attachment").on("message").column("attachment_id").execute();
  await db.schema.dropIndex("webhook_delivery_due").execute();
  await db.schema.dropIndex("webhook_delivery_stream").execute();
  await db.schema
    .createIndex("webhook_delivery_due")
    .on("webhook_delivery")
    .columns(["status", "next_attempt_ms"])
    .execute();
  await db.schema
    .createIndex("webhook_delivery_stream")
    .on("webhook_delivery")
    .columns(["user_id", "chat_id", "status", "position"])
    .execute();
}
