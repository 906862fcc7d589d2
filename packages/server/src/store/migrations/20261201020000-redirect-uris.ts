// The redirect URIs an app (an account's client_id) registered: the consent page sends a user
// back only to one of these, compared as exact strings (RFC 6749, section 3.1.2.3).
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("app_redirect_uri")
    .addColumn("user_id", "bigint", (c) => c.notNull().references("account.id").onDelete("cascade"))
    /** The order they were registered in, which is the order they are answered in. */
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("uri", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("app_redirect_uri_pk", ["user_id", "position"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("app_redirect_uri").execute();
}
