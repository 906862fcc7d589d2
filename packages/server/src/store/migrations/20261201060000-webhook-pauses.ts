// Accounts whose webhook deliveries are paused from the sandbox (the console's pause button): one
// row per paused account, kept across restarts. While an account has a row here its deliveries,
// new and retrying, wait queued and none is attempted; resuming deletes the row and puts each of
// its chats' first waiting delivery at the head of its stream again.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("webhook_pause")
    .addColumn("user_id", "bigint", (c) => c.primaryKey().references("account.id"))
    .addColumn("created_ms", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("webhook_pause").execute();
}
