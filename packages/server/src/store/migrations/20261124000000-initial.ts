// The core data model: accounts and their API credentials, items, chats with one row per member,
// messages, blacklists, tokens and authorization codes, and a key-value table for server state.
// Only portable column types: the same migration runs on SQLite and PostgreSQL.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("account")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("profile_key", "text", (c) => c.notNull().unique())
    .addColumn("client_id", "text", (c) => c.notNull().unique())
    .addColumn("client_secret", "text", (c) => c.notNull())
    .addColumn("created", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("item")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("owner_id", "bigint", (c) => c.notNull().references("account.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("price_string", "text")
    .addColumn("status_id", "integer", (c) => c.notNull())
    .addColumn("created", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("item_owner").on("item").column("owner_id").execute();

  await db.schema
    .createTable("chat")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("item_id", "bigint", (c) => c.references("item.id"))
    .addColumn("pair_key", "text", (c) => c.notNull().unique())
    .addColumn("created", "bigint", (c) => c.notNull())
    .addColumn("updated", "bigint", (c) => c.notNull())
    .addColumn("last_message_id", "text")
    .addColumn("last_seq", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("chat_member")
    .addColumn("chat_id", "text", (c) => c.notNull().references("chat.id"))
    .addColumn("user_id", "bigint", (c) => c.notNull().references("account.id"))
    .addColumn("chat_type", "text", (c) => c.notNull())
    .addColumn("item_id", "bigint")
    .addColumn("updated", "bigint", (c) => c.notNull())
    .addColumn("unread_count", "integer", (c) => c.notNull())
    .addColumn("last_read_at", "bigint")
    .addPrimaryKeyConstraint("chat_member_pk", ["chat_id", "user_id"])
    .execute();
  // The chats list: one account's chats of some types, newest activity first.
  await db.schema
    .createIndex("chat_member_list")
    .on("chat_member")
    .columns(["user_id", "chat_type", "updated", "chat_id"])
    .execute();
  await db.schema
    .createIndex("chat_member_item")
    .on("chat_member")
    .columns(["user_id", "item_id", "updated"])
    .execute();

  await db.schema
    .createTable("message")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("chat_id", "text", (c) => c.notNull().references("chat.id"))
    .addColumn("seq", "bigint", (c) => c.notNull())
    .addColumn("author_id", "bigint", (c) => c.notNull().references("account.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("quote_id", "text")
    .addColumn("created", "bigint", (c) => c.notNull())
    .addColumn("read_at", "bigint")
    .addColumn("deleted_at", "bigint")
    .addUniqueConstraint("message_chat_seq", ["chat_id", "seq"])
    .execute();

  await db.schema
    .createTable("blacklist")
    .addColumn("user_id", "bigint", (c) => c.notNull().references("account.id"))
    .addColumn("blocked_user_id", "bigint", (c) => c.notNull().references("account.id"))
    .addColumn("reason_id", "integer")
    .addColumn("item_id", "bigint")
    .addColumn("created", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("blacklist_pk", ["user_id", "blocked_user_id"])
    .execute();

  await db.schema
    .createTable("token")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("account.id"))
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("grant_type", "text", (c) => c.notNull())
    .addColumn("scope", "text")
    .addColumn("created", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint")
    .addColumn("used_at", "bigint")
    .execute();

  await db.schema
    .createTable("authorization_code")
    .addColumn("code_hash", "text", (c) => c.primaryKey())
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("account.id"))
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("redirect_uri", "text")
    .addColumn("created", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();

  await db.schema
    .createTable("setting")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "setting",
    "authorization_code",
    "token",
    "blacklist",
    "message",
    "chat_member",
    "chat",
    "item",
    "account",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
