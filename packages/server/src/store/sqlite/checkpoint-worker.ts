// Runs in a worker thread with a connection of its own: copies the WAL into the database file
// every little while. A PASSIVE checkpoint never waits for, nor blocks, the writer, so the copying
// and the fsyncs happen here, not in a commit on the thread that serves requests. When the WAL has
// grown past its limit, the worker tells the main thread after its checkpoint (see
// checkpointer.ts for why the last step is the main thread's).
import { statSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import SqliteDatabase from "better-sqlite3";

export interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
  restartAboveBytes: number;
}

/** What the worker tells the main thread. */
export type CheckpointWorkerMessage = "wal-over-limit" | "stopped";

const { file, intervalMs, restartAboveBytes } = workerData as CheckpointWorkerData;
const db = new SqliteDatabase(file);
db.pragma("busy_timeout = 1000");

function walBytes(): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

function checkpoint(): void {
  db.pragma("wal_checkpoint(PASSIVE)");
  if (walBytes() > restartAboveBytes) parentPort?.postMessage("wal-over-limit");
}

const timer = setInterval(checkpoint, intervalMs);

parentPort?.on("message", (message: unknown) => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.pragma("wal_checkpoint(PASSIVE)");
  db.close();
  parentPort?.postMessage("stopped" satisfies CheckpointWorkerMessage);
});
