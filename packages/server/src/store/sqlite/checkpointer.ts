// Moves SQLite's WAL checkpoints off the thread that serves requests. Left to itself SQLite
// checkpoints inside the commit that crosses 1000 WAL pages, and that commit then waits for the
// copy and two fsyncs (tens of milliseconds here, every few hundred sends). The main connection
// turns automatic checkpoints off; a worker thread checkpoints on a timer instead
// (checkpoint-worker.ts). Should the worker fail, automatic checkpoints come back on.
//
// Under writes that never stop, the worker never finds the WAL wholly copied at the moment a write
// begins, so SQLite never starts it over and it grows for ever. Past a size, the worker says so
// right after a checkpoint; the main thread then, between two transactions, checkpoints what was
// written since (a few hundred pages, a millisecond or two), and its next write starts the WAL
// over, trimmed back to the limit. A RESTART checkpoint from the worker would do the same but
// hold every write back until no read is under way, which on a busy server is a long time.
import { Worker } from "node:worker_threads";
import type SqliteDatabase from "better-sqlite3";
import type { CheckpointWorkerData, CheckpointWorkerMessage } from "./checkpoint-worker.ts";

const CHECKPOINT_INTERVAL_MS = 100;
/**
 * A WAL larger than this is started over; SQLite trims it back to this size. Finishing the
 * checkpoint holds the main thread for 10 to 25 ms here (the last writes' fsync), so the larger
 * the limit, the rarer the pause: at 2,000 messages a second the WAL takes this in about 4 s.
 */
export const WAL_RESTART_BYTES = 256 * 1024 * 1024;
/** SQLite's default, restored if the worker fails. */
const AUTOCHECKPOINT_PAGES = 1000;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(
  connection: SqliteDatabase.Database,
  file: string,
  onError: (error: Error) => void,
  restartAboveBytes = WAL_RESTART_BYTES,
): Checkpointer {
  connection.pragma("wal_autocheckpoint = 0");
  connection.pragma(`journal_size_limit = ${restartAboveBytes}`);
  const workerData: CheckpointWorkerData = {
    file,
    intervalMs: CHECKPOINT_INTERVAL_MS,
    restartAboveBytes,
  };
  const worker = new Worker(new URL("./checkpoint-worker.ts", import.meta.url), { workerData });
  worker.unref();
  let failed = false;
  let stopping = false;

  /** The rest of the WAL, copied here, when no transaction is open on the connection. */
  function finishCheckpoint(): void {
    if (stopping || !connection.open) return;
    if (connection.inTransaction) {
      setImmediate(finishCheckpoint);
      return;
    }
    try {
      connection.pragma("wal_checkpoint(PASSIVE)");
    } catch (error) {
      onError(error as Error);
    }
  }

  worker.on("message", (message: CheckpointWorkerMessage) => {
    if (message === "wal-over-limit") finishCheckpoint();
  });
  worker.on("error", (error) => {
    failed = true;
    if (connection.open) connection.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    onError(error);
  });
  return {
    stop: async () => {
      stopping = true;
      if (failed) return;
      const stopped = new Promise<void>((resolve) => {
        worker.on("message", (message: CheckpointWorkerMessage) => {
          if (message === "stopped") resolve();
        });
        worker.once("exit", () => resolve());
      });
      worker.postMessage("stop");
      await stopped;
      await worker.terminate();
    },
  };
}
