// The store: one interface over SQLite (the default: a file in the data dir, one process) and
// PostgreSQL (BESEDA_DATABASE_URL: several nodes on one database). Repositories take a Db, which
// is either the store's Kysely instance or a transaction, so one function serves both; what only
// one database needs lives in ./sqlite/ or ./postgres/.
import type { Kysely, Transaction } from "kysely";
import type { ChangeSignals } from "./change-signals.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database> | Transaction<Database>;

export type StoreDialect = "sqlite" | "postgres";

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** How nodes sharing this store hear of each other's changes; null: one node (SQLite). */
  readonly signals: ChangeSignals | null;
  /**
   * Runs `work` in a transaction and settles once it is committed. On PostgreSQL a transaction
   * that lost a deadlock or a unique-key race is run again from the start: `work` keeps its side
   * effects for after the commit.
   */
  transaction<T>(work: (tx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** Answers when the store can serve a query; throws otherwise. */
  ping(): Promise<void>;
  /** Runs a bulk load (the seed command) with the database tuned for it. */
  withBulkLoad<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  /** postgres://…: the store is PostgreSQL; null: SQLite in the data dir. */
  databaseUrl: string | null;
  sqliteSynchronous?: "normal" | "full";
  /** Megabytes of SQLite's page cache (8 if not given). */
  sqliteCacheMb?: number;
  /** Connections a PostgreSQL store keeps at most. */
  poolSize?: number;
  /** Told when background work of the store fails (a checkpoint, an idle connection). */
  onBackgroundError?: (error: Error) => void;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl !== null) {
    const { openPostgresStore } = await import("./postgres/open-postgres.ts");
    return openPostgresStore(options.databaseUrl, {
      poolSize: options.poolSize,
      onBackgroundError: options.onBackgroundError,
    });
  }
  const { openSqliteStore } = await import("./sqlite/open-sqlite.ts");
  return openSqliteStore(options.dataDir, {
    synchronous: options.sqliteSynchronous,
    cacheMb: options.sqliteCacheMb,
    onBackgroundError: options.onBackgroundError,
  });
}
