// What the store's errors mean to the layers above it, whatever the database: today only whether
// the database cannot be reached (the HTTP layer answers 503 with Retry-After instead of a 500).
// SQLite is a file of this process: it has no such failure (SQLITE_BUSY is a different matter).
import { isPostgresUnreachable } from "./postgres/postgres-errors.ts";

/** True when the error says the database cannot be reached now, rather than that a query failed. */
export function isStoreUnavailable(error: unknown): boolean {
  return isPostgresUnreachable(error);
}
