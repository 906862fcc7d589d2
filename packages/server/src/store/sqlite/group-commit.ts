// Group commit for the one SQLite connection: the transactions asked for in the same turn of the
// event loop run one after another inside one database transaction, each in a savepoint of its
// own, and are committed together. A commit writes every page it changed to the WAL, so many
// small transactions that touch the same pages (a chat's row, the tail of the messages table)
// write them once instead of once each; with synchronous=full they share one fsync too.
//
// Each caller still sees a transaction of its own: its work is rolled back alone if it throws,
// and its promise settles only after the commit that made its writes durable (or failed them).
// A unit must not wait for anything but the database (no network calls inside a transaction):
// the units queued behind it would wait too. Nor may it start a transaction of its own.
import type { Kysely, Transaction } from "kysely";

/** More units than this wait for the next commit, so that one commit stays short. */
const MAX_UNITS_PER_COMMIT = 64;

interface Unit<DB> {
  work: (tx: Transaction<DB>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export type TransactionRunner<DB> = <T>(work: (tx: Transaction<DB>) => Promise<T>) => Promise<T>;

/**
 * `exec` runs a statement on the connection the transactions use. Savepoints go through it rather
 * than through Kysely: the transaction holds the connection while its units run, and these two
 * statements per unit cost less without the query builder's round trip. `onCommit` is told after
 * each commit.
 */
export function groupCommit<DB>(
  db: Kysely<DB>,
  exec: (sql: string) => void,
  onCommit: () => void = () => {},
): TransactionRunner<DB> {
  const queue: Unit<DB>[] = [];
  let scheduled = false;

  async function runBatch(batch: readonly Unit<DB>[]): Promise<Outcome[]> {
    return db.transaction().execute(async (tx) => {
      if (batch.length === 1) {
        // Alone in its commit: no savepoint needed, its error rolls back the transaction.
        const [unit] = batch as [Unit<DB>];
        return [{ ok: true, value: await unit.work(tx) }];
      }
      const outcomes: Outcome[] = [];
      for (const unit of batch) {
        exec("savepoint unit");
        try {
          const value = await unit.work(tx);
          exec("release unit");
          outcomes.push({ ok: true, value });
        } catch (error) {
          // If SQLite already rolled the whole transaction back (a full disk, say), this throws
          // and fails the batch: no unit is told its writes are committed.
          exec("rollback to unit");
          exec("release unit");
          outcomes.push({ ok: false, error });
        }
      }
      return outcomes;
    });
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_UNITS_PER_COMMIT);
      let outcomes: Outcome[];
      try {
        outcomes = await runBatch(batch);
      } catch (error) {
        for (const unit of batch) unit.reject(error);
        continue;
      }
      onCommit();
      batch.forEach((unit, i) => {
        const outcome = outcomes[i] as Outcome;
        if (outcome.ok) unit.resolve(outcome.value);
        else unit.reject(outcome.error);
      });
    }
    scheduled = false;
  }

  return <T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        // After the poll phase: every request that arrived in this turn has queued its unit.
        setImmediate(() => void drain());
      }
    });
}
