// Marking a chat read touches only the messages not yet read: a partial index holds just those,
// so chatRead costs what is unread, not the length of the chat's history (it scanned every
// message of the chat before). Partial indexes work on SQLite and PostgreSQL alike.
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("message_unread")
    .on("message")
    .columns(["chat_id", "author_id"])
    .where(sql.ref("read_at"), "is", null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("message_unread").execute();
}
