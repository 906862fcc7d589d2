// Opens the store: the SQLite file in the data dir, in WAL mode (so a 200 survives kill -9; with
// synchronous=full a power cut too), migrated to the latest schema. Repositories take a Db, which
// is either the store's Kysely instance or a transaction, so one function serves both. Writes go
// through group commit, and WAL checkpoints run in a worker thread (both in ./sqlite/).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, type Kysely as KyselyType, SqliteDialect, sql, type Transaction } from "kysely";
import { Migrator } from "kysely/migration";
import { MIGRATIONS } from "./migrations/index.ts";
import type { Database } from "./schema.ts";
import { type CheckpointerTuning, startCheckpointer } from "./sqlite/checkpointer.ts";
import { groupCommit } from "./sqlite/group-commit.ts";

export type Db = KyselyType<Database> | Transaction<Database>;

export interface Store {
  readonly db: KyselyType<Database>;
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  /** Answers when the store can serve a query; throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const SQLITE_FILE = "beseda.sqlite";

/**
 * `normal` (WAL): a commit is in the log before the call returns, so it survives the process
 * dying; only a power cut can lose the last commits. `full` fsyncs every commit.
 */
export interface SqliteOptions {
  synchronous?: "normal" | "full";
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
    transaction,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/** Prepared statements kept; a statement for a long list of values can hold 100 KB. */
const CACHED_STATEMENTS = 256;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running most of
 * ours. The same SQL text reuses its prepared statement. Lists of values make a new text for each
 * length, so the cache is bounded, dropping the oldest first (the hot paths split their lists
 * into a few fixed lengths, see chunks.ts, so their statements stay well within it; one dropped
 * is merely prepared again).
 */
function withStatementCache(file: SqliteDatabase.Database) {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => file.close(),
    prepare: (sql: string) => {
      let statement = statements.get(sql);
      if (!statement) {
        statement = file.prepare(sql);
        if (statements.size >= CACHED_STATEMENTS) {
          const oldest = statements.keys().next();
          if (!oldest.done) statements.delete(oldest.value);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

export async function migrateToLatest(db: KyselyType<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const cause = error instanceof Error ? error : new Error(String(error ?? "unknown"));
    throw new Error(`migration ${failed?.migrationName ?? ""} failed: ${cause.message}`, { cause });
  }
}
