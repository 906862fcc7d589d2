// Fault injection (sandbox): the rules integrators add through /sandbox/v1/faults, with how often
// each matched and fired, and a mark on webhook attempts that a rule decided. Rules name accounts
// and chats without foreign keys: a rule outlives nothing it names in a way that matters (it just
// stops matching), and it must never stand in the way of removing an account or a reset.
import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.ts";

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = dialectOf(db) === "postgres";
  await db.schema
    .createTable("fault_rule")
    // Never reused, so that a rule's id (and the seed derived from it) names one rule only.
    .addColumn("id", "integer", (c) =>
      postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn("operation", "text", (c) => c.notNull())
    .addColumn("user_id", "bigint")
    .addColumn("chat_id", "text")
    .addColumn("status", "integer")
    .addColumn("latency_ms", "integer")
    .addColumn("drop_when", "text")
    .addColumn("retry_after", "integer")
    .addColumn("times", "integer")
    // SQLite's real is 8 bytes; PostgreSQL's is 4 (0.3 would read back as 0.30000001).
    .addColumn("probability", postgres ? "double precision" : "real")
    .addColumn("seed", "bigint")
    .addColumn("until_time", "bigint")
    .addColumn("fired", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("matched", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created", "bigint", (c) => c.notNull())
    .execute();

  await db.schema.alterTable("webhook_attempt").addColumn("fault_id", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("webhook_attempt").dropColumn("fault_id").execute();
  await db.schema.dropTable("fault_rule").execute();
}
