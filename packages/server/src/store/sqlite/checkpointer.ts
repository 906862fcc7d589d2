// Moves SQLite's WAL checkpoints off the thread that serves requests. Left to itself SQLite
// checkpoints inside the commit that crosses 1000 WAL pages, and that commit then waits for two
// fsyncs (tens of milliseconds here, every few hundred sends). The main connection turns
// automatic checkpoints off; a worker thread checkpoints on a timer instead. Should the worker
// fail, automatic checkpoints come back on, so that the WAL never grows without bound.
import { Worker } from "node:worker_threads";
import type SqliteDatabase from "better-sqlite3";

const CHECKPOINT_INTERVAL_MS = 100;
/** SQLite's default, restored if the worker fails. */
const AUTOCHECKPOINT_PAGES = 1000;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(
  connection: SqliteDatabase.Database,
  file: string,
  onError: (error: Error) => void,
): Checkpointer {
  connection.pragma("wal_autocheckpoint = 0");
  const worker = new Worker(new URL("./checkpoint-worker.ts", import.meta.url), {
    workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS },
  });
  worker.unref();
  let failed = false;
  worker.on("error", (error) => {
    failed = true;
    if (connection.open) connection.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    onError(error);
  });
  return {
    stop: async () => {
      if (failed) return;
      const stopped = new Promise<void>((resolve) => {
        worker.once("message", () => resolve());
        worker.once("exit", () => resolve());
      });
      worker.postMessage("stop");
      await stopped;
      await worker.terminate();
    },
  };
}
