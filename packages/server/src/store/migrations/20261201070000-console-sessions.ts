// The console's sign-ins: one row per session, keyed by the SHA-256 of the cookie's value, so that
// signing out ends a session for whoever holds a copy of its cookie. A session belongs to the
// server, not to the sandbox's world: a reset or an import leaves it in place.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("console_session")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    // The admin token's hash when it was made: a new admin token voids the session.
    .addColumn("admin_hash", "text", (c) => c.notNull())
    .addColumn("created_ms", "bigint", (c) => c.notNull())
    .addColumn("expires_ms", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("console_session").execute();
}
