// Opens the store: the SQLite file in the data dir (WAL, full fsync on commit, so a 200 survives
// kill -9 and power loss), migrated to the latest schema. Repositories take a Db, which is either
// the store's Kysely instance or a transaction, so one function serves both.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, type Kysely as KyselyType, SqliteDialect, sql, type Transaction } from "kysely";
import { Migrator } from "kysely/migration";
import { MIGRATIONS } from "./migrations/index.ts";
import type { Database } from "./schema.ts";

export type Db = KyselyType<Database> | Transaction<Database>;

export interface Store {
  readonly db: KyselyType<Database>;
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  /** Answers when the store can serve a query; throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const SQLITE_FILE = "beseda.sqlite";

export async function openSqliteStore(dataDir: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  const file = new SqliteDatabase(join(dataDir, SQLITE_FILE));
  file.pragma("journal_mode = WAL");
  file.pragma("synchronous = FULL");
  file.pragma("foreign_keys = ON");
  file.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
  await migrateToLatest(db);
  return storeOf(db);
}

function storeOf(db: KyselyType<Database>): Store {
  return {
    db,
    transaction: (work) => db.transaction().execute(work),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
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
