// Which database a Kysely instance (or a transaction of one) talks to, for the few statements
// that must differ: SQLite's AUTOINCREMENT and PostgreSQL's identity columns, PostgreSQL's row
// locks (SQLite has one writer at a time and needs none).
import { type Kysely, PostgresAdapter } from "kysely";
import type { StoreDialect } from "./store.ts";

export function dialectOf(
  db: Kysely<never> | Kysely<unknown> | { getExecutor: Kysely<unknown>["getExecutor"] },
): StoreDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}
