// Rate limits counted in the database, so that several nodes on one PostgreSQL count an account's
// requests against one limit (domain/rate-limits/store-rate-limiter.ts). One row per limiter, key
// (an account) and minute of the sandbox clock; a node adds its requests to the row. A node's first
// write of a new minute deletes the limiter's rows of other minutes. Not part of the sandbox's world: a reset
// or an import leaves the counts alone, as it leaves the in-memory counter of a single node.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("rate_limit")
    // Which limit: "messenger", or a /core/v1 operation's own.
    .addColumn("limiter", "text", (c) => c.notNull())
    .addColumn("key", "bigint", (c) => c.notNull())
    // floor(ms / 60 000) of the sandbox clock.
    .addColumn("minute", "bigint", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("rate_limit_pk", ["limiter", "key", "minute"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("rate_limit").execute();
}
