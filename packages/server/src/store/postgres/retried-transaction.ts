// A transaction at READ COMMITTED, run again when PostgreSQL aborts it for a conflict that a new
// attempt resolves: a deadlock between two transactions locking chats, a serialization failure,
// or a unique violation of a find-or-create that another node's transaction won (the next attempt
// finds its row). The work is run from the start each time, so it must keep its side effects
// for after the commit, as every domain transaction does.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../schema.ts";
import { postgresErrorCode } from "./postgres-errors.ts";

const RETRIED_CODES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "23505", // unique_violation
]);
const ATTEMPTS = 4;

export async function retriedTransaction<T>(
  db: Kysely<Database>,
  work: (tx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      const code = postgresErrorCode(error);
      if (attempt >= ATTEMPTS || code === null || !RETRIED_CODES.has(code)) throw error;
    }
  }
}
