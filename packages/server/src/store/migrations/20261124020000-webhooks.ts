// Webhooks: one subscription per account, the outbox of deliveries (written in the transaction of
// the event they announce) and the log of every attempt. Chats count their events so that an
// account's deliveries for one chat keep their order.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("chat")
    .addColumn("event_seq", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable("webhook_subscription")
    .addColumn("user_id", "bigint", (c) => c.primaryKey().references("account.id"))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("created", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("webhook_delivery")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("account.id"))
    .addColumn("chat_id", "text", (c) => c.notNull())
    .addColumn("position", "bigint", (c) => c.notNull())
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("step", "integer", (c) => c.notNull())
    .addColumn("window_start_ms", "bigint", (c) => c.notNull())
    .addColumn("next_attempt_ms", "bigint", (c) => c.notNull())
    .addColumn("created_ms", "bigint", (c) => c.notNull())
    .addColumn("finished_ms", "bigint")
    .execute();
  // What the dispatcher asks for: pending deliveries that are due.
  await db.schema
    .createIndex("webhook_delivery_due")
    .on("webhook_delivery")
    .columns(["status", "next_attempt_ms"])
    .execute();
  // One account's stream for one chat: its unfinished deliveries, in order, without walking the
  // delivered ones.
  await db.schema
    .createIndex("webhook_delivery_stream")
    .on("webhook_delivery")
    .columns(["user_id", "chat_id", "status", "position"])
    .execute();

  await db.schema
    .createTable("webhook_attempt")
    .addColumn("delivery_id", "text", (c) => c.notNull().references("webhook_delivery.id"))
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("started_ms", "bigint", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("status_code", "integer")
    .addColumn("error", "text")
    .addColumn("response_excerpt", "text")
    .addPrimaryKeyConstraint("webhook_attempt_pk", ["delivery_id", "number"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("webhook_attempt").execute();
  await db.schema.dropTable("webhook_delivery").execute();
  await db.schema.dropTable("webhook_subscription").execute();
  await db.schema.alterTable("chat").dropColumn("event_seq").execute();
}
