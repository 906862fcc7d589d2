// Media: uploaded images (each upload its own id, its resized JPEGs kept as content-addressed
// blobs) and voice files; messages that carry one point at it, so that access checks are a join.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("image")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("owner_id", "bigint", (c) => c.notNull().references("account.id"))
    .addColumn("source_hash", "text", (c) => c.notNull())
    .addColumn("width", "integer", (c) => c.notNull())
    .addColumn("height", "integer", (c) => c.notNull())
    .addColumn("blobs", "text", (c) => c.notNull())
    .addColumn("created", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("image_source").on("image").column("source_hash").execute();

  await db.schema
    .createTable("voice")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("blob_key", "text", (c) => c.notNull())
    .addColumn("size_bytes", "bigint", (c) => c.notNull())
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .addColumn("created", "bigint", (c) => c.notNull())
    .execute();

  await db.schema.alterTable("message").addColumn("attachment_id", "text").execute();
  await db.schema.createIndex("message_attachment").on("message").column("attachment_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("message_attachment").execute();
  await db.schema.alterTable("message").dropColumn("attachment_id").execute();
  await db.schema.dropTable("voice").execute();
  await db.schema.dropTable("image").execute();
}
