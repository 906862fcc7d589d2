// Moves SQLite's WAL checkpoints off the thread that serves requests while writes are heavy. Left
// to itself SQLite checkpoints inside the commit that crosses 1000 WAL pages, and that commit then
// waits for the copy and two fsyncs: tens of milliseconds here, every few hundred sends at full
// load. So once commits come often, automatic checkpoints are turned off and a worker thread
// checkpoints on a timer instead (checkpoint-worker.ts); once writes have stopped for a while the
// worker ends and SQLite's own checkpoints take over again, so that an idle server does not keep
// a thread (about 25 MB) for nothing. Should the worker fail, SQLite's own checkpoints stay on.
//
// Under writes that never stop, the worker never finds the WAL wholly copied at the moment a write
// begins, so SQLite never starts it over and it grows for ever. Past a size, the worker says so
// right after a checkpoint; the main thread then, between two transactions, checkpoints what was
// written since (a few hundred pages, 10–25 ms with the fsyncs), and its next write starts the
// WAL over, trimmed back to the limit. A RESTART checkpoint from the worker would do the same but
// hold every write back until no read is under way, which on a busy server is a long time.
import type { Worker } from "node:worker_threads";
import type SqliteDatabase from "better-sqlite3";
import { startModuleWorker } from "../../worker-thread.ts";
import type { CheckpointWorkerData, CheckpointWorkerMessage } from "./checkpoint-worker.ts";

const CHECKPOINT_INTERVAL_MS = 100;
/**
 * A WAL larger than this is started over; SQLite trims it back to this size. Finishing the
 * checkpoint holds the main thread for 10 to 25 ms here (the last writes' fsync), so the larger
 * the limit, the rarer the pause: at 2,000 messages a second the WAL takes this in about 4 s.
 */
export const WAL_RESTART_BYTES = 256 * 1024 * 1024;
/** SQLite's default. */
const AUTOCHECKPOINT_PAGES = 1000;
/** Commits in one second from which the worker takes over. */
const BUSY_COMMITS_PER_SECOND = 20;
/** Seconds without a commit after which the worker ends. */
const IDLE_SECONDS = 30;

export interface Checkpointer {
  /** Told after every commit. */
  committed(): void;
  /** Whether the worker is checkpointing now (else SQLite's own automatic checkpoints). */
  readonly inBackground: boolean;
  stop(): Promise<void>;
}

/** Tests make these small. */
export interface CheckpointerTuning {
  restartAboveBytes?: number;
  idleSeconds?: number;
}

export function startCheckpointer(
  connection: SqliteDatabase.Database,
  file: string,
  onError: (error: Error) => void,
  {
    restartAboveBytes = WAL_RESTART_BYTES,
    idleSeconds: idleLimit = IDLE_SECONDS,
  }: CheckpointerTuning = {},
): Checkpointer {
  connection.pragma(`journal_size_limit = ${restartAboveBytes}`);
  let worker: Worker | undefined;
  let failed = false;
  let stopping = false;
  let commits = 0;
  let commitsBefore = 0;
  let idleSeconds = 0;

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

  function startWorker(): void {
    connection.pragma("wal_autocheckpoint = 0");
    const workerData: CheckpointWorkerData = {
      file,
      intervalMs: CHECKPOINT_INTERVAL_MS,
      restartAboveBytes,
    };
    const started = startModuleWorker(new URL("./checkpoint-worker.ts", import.meta.url), {
      workerData,
    });
    started.unref();
    started.on("message", (message: CheckpointWorkerMessage) => {
      if (message === "wal-over-limit") finishCheckpoint();
    });
    started.on("error", (error) => {
      failed = true;
      onError(error);
    });
    started.on("exit", () => {
      if (worker !== started) return;
      worker = undefined;
      if (connection.open) connection.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    });
    worker = started;
  }

  /** Asks the worker to checkpoint once more and end; SQLite's own checkpoints resume. */
  async function stopWorker(): Promise<void> {
    const running = worker;
    if (!running) return;
    const ended = new Promise<void>((resolve) => {
      running.on("message", (message: CheckpointWorkerMessage) => {
        if (message === "stopped") resolve();
      });
      running.once("exit", () => resolve());
    });
    running.postMessage("stop");
    await ended;
    await running.terminate();
  }

  const watch = setInterval(() => {
    const lastSecond = commits - commitsBefore;
    commitsBefore = commits;
    idleSeconds = lastSecond === 0 ? idleSeconds + 1 : 0;
    if (!worker && !failed && lastSecond >= BUSY_COMMITS_PER_SECOND) startWorker();
    else if (worker && idleSeconds >= idleLimit) void stopWorker();
  }, 1000);
  watch.unref();

  return {
    committed: () => {
      commits++;
    },
    get inBackground() {
      return worker !== undefined;
    },
    stop: async () => {
      stopping = true;
      clearInterval(watch);
      await stopWorker();
    },
  };
}
