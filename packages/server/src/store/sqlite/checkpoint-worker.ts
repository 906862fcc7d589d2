// Runs in a worker thread with a connection of its own: copies the WAL into the database file
// every little while (a PASSIVE checkpoint never waits for, nor blocks, the writer). The fsyncs
// a checkpoint makes thus happen here, not in a commit on the thread that serves requests.
import { parentPort, workerData } from "node:worker_threads";
import SqliteDatabase from "better-sqlite3";

interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
}

const { file, intervalMs } = workerData as CheckpointWorkerData;
const db = new SqliteDatabase(file);
db.pragma("busy_timeout = 1000");

function checkpoint(): void {
  db.pragma("wal_checkpoint(PASSIVE)");
}

const timer = setInterval(checkpoint, intervalMs);

parentPort?.on("message", (message: unknown) => {
  if (message !== "stop") return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort?.postMessage("stopped");
});
