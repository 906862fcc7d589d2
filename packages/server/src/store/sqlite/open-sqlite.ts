// Opens the SQLite store: the file in the data dir, in WAL mode (so a 200 survives kill -9; with
// synchronous=full a power cut too), migrated to the latest schema. Writes go through group
// commit, and WAL checkpoints run in a worker thread.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { migrateToLatest } from "../migrate.ts";
import type { Database } from "../schema.ts";
import type { Store } from "../store.ts";
import { type CheckpointerTuning, startCheckpointer } from "./checkpointer.ts";
import { groupCommit } from "./group-commit.ts";
import { withStatementCache } from "./statement-cache.ts";

export const SQLITE_FILE = "beseda.sqlite";

/**
 * `normal` (WAL): a commit is in the log before the call returns, so it survives the process
 * dying; only a power cut can lose the last commits. `full` fsyncs every commit.
 */
export interface SqliteOptions {
  synchronous?: "normal" | "full";
  /**
   * Megabytes of SQLite's page cache: 8 if not given (better-sqlite3's default, 16, held ~8 MB
   * more of the server's peak RSS under load for no measured gain: the OS caches the file too).
   */
  cacheMb?: number;
  /** Told when the background checkpointer fails (automatic checkpoints then take over). */
  onBackgroundError?: (error: Error) => void;
  /** When the WAL is started over, when the checkpointing thread ends (tests make them small). */
  checkpoints?: CheckpointerTuning;
}

export async function openSqliteStore(
  dataDir: string,
  options: SqliteOptions = {},
): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SQLITE_FILE);
  const file = new SqliteDatabase(path);
  file.pragma("journal_mode = WAL");
  file.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
  file.pragma("foreign_keys = ON");
  file.pragma("busy_timeout = 5000");
  // Negative: in KiB, whatever the page size.
  file.pragma(`cache_size = ${-1024 * (options.cacheMb ?? 8)}`);
  // Savepoints (group commit) and multi-row statements keep their undo records in memory, not in
  // a temporary file written page by page.
  file.pragma("temp_store = MEMORY");
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(file) }),
  });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const checkpointer = startCheckpointer(
    file,
    path,
    options.onBackgroundError ?? (() => {}),
    options.checkpoints,
  );
  const transaction = groupCommit(
    db,
    (statement) => file.exec(statement),
    () => checkpointer.committed(),
  );
  return {
    db,
    dialect: "sqlite",
    signals: null,
    transaction,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    withBulkLoad: (work) => withBulkLoadPragmas(file, work),
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/**
 * Runs a bulk load with SQLite tuned for it, and puts the settings back afterwards:
 * synchronous=OFF (a crash during the load loses the load, which is started over anyway), a page
 * cache large enough for the indexes being filled, and a checkpoint at the end so that the WAL
 * does not stay as large as the load.
 */
async function withBulkLoadPragmas<T>(
  file: SqliteDatabase.Database,
  work: () => Promise<T>,
): Promise<T> {
  const synchronous = Number(file.pragma("synchronous", { simple: true }));
  const cacheSize = Number(file.pragma("cache_size", { simple: true }));
  file.pragma("synchronous = OFF");
  file.pragma("cache_size = -131072");
  try {
    return await work();
  } finally {
    file.pragma(`synchronous = ${synchronous}`);
    file.pragma(`cache_size = ${cacheSize}`);
    file.pragma("wal_checkpoint(TRUNCATE)");
  }
}
