// Versions of what reads show, by scope (an account's chats lists, a chat and its messages): a
// change bumps the scopes it touches in its own transaction, and a node keeping whole answers
// serves one only while its scope's version is still the one it read it under. Written on
// PostgreSQL, where nodes keep answers without hearing each other's changes; SQLite's single node
// tracks them in memory, and this table stays empty there.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("read_version")
    .addColumn("scope", "text", (c) => c.primaryKey())
    .addColumn("version", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("read_version").execute();
}
