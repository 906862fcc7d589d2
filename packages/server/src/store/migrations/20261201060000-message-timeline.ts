// `beseda tail` and the sandbox's message feed read every chat's messages in the order they were
// written, from a second on. `created` only grows, so each new message adds its entry at the end
// of this index, to a page the same commit already writes.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("message_timeline")
    .on("message")
    .columns(["created", "chat_id", "seq"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("message_timeline").execute();
}
