// Secrets every node of a cluster must share (the admin token when generated, the key that signs
// expiring media links): on PostgreSQL they live in the database, made by the first node to need
// them. A single SQLite node keeps them in its data dir as before. They belong to the server, not
// the world: a reset leaves them.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("server_secret")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("server_secret").execute();
}
