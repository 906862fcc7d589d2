// Which database the tests' stores use. BESEDA_TEST_STORE=postgres runs them on PostgreSQL
// (BESEDA_TEST_POSTGRES_URL, by default the local server's database `test`), each store in a
// schema of its own that is dropped when the store is done; anything else, on SQLite in a
// temporary data dir. vitest.config.ts runs the store and HTTP suites once per database.
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import pg from "pg";
import { openStore, type Store, type StoreDialect } from "../../src/store/store.ts";
import { dropSchemasOfEndedRuns } from "./leftover-schemas.ts";
import { tempDataDir } from "./temp-dir.ts";

export const TEST_DIALECT: StoreDialect =
  process.env.BESEDA_TEST_STORE === "postgres" ? "postgres" : "sqlite";

export const POSTGRES_TEST_URL =
  process.env.BESEDA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * The test run a schema belongs to: the pid of vitest's main process (set by the global setup,
 * inherited by its workers), so that a run drops only what runs that ended left behind, never
 * the schemas of another run going on at the same time.
 */
const RUN_ID = process.env.BESEDA_TEST_RUN ?? String(process.pid);

/** The schema of a data dir: the same dir (a restarted server) finds the same schema. */
export function testSchemaOf(dataDir: string): string {
  const hash = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return `beseda_test_${RUN_ID}_${hash}`;
}

/** A URL whose connections work in `schema` (created if missing). */
export async function postgresSchemaUrl(schema: string): Promise<string> {
  await adminQuery(`create schema if not exists "${schema}"`);
  const url = new URL(POSTGRES_TEST_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.href;
}

export async function dropPostgresSchema(schema: string): Promise<void> {
  await adminQuery(`drop schema if exists "${schema}" cascade`);
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** For a server on `dataDir`: its database URL (null: SQLite in the dir) and what removes it. */
export async function testDatabaseFor(
  dataDir: string,
): Promise<{ databaseUrl: string | null; drop: () => Promise<void> }> {
  if (TEST_DIALECT === "sqlite") return { databaseUrl: null, drop: async () => {} };
  const schema = testSchemaOf(dataDir);
  return {
    databaseUrl: await postgresSchemaUrl(schema),
    drop: () => dropPostgresSchema(schema),
  };
}

/** A store of the tested dialect, on a fresh data dir (and schema); `remove` closes and deletes both. */
export async function openTestStore(): Promise<{ store: Store; remove: () => Promise<void> }> {
  const dataDir = tempDataDir();
  const database = await testDatabaseFor(dataDir);
  const store = await openStore({ dataDir, databaseUrl: database.databaseUrl });
  return {
    store,
    remove: async () => {
      await store.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Drops the schemas of test runs whose process is gone (a run killed midway leaves its own). */
export async function dropLeftoverTestSchemas(): Promise<void> {
  await dropSchemasOfEndedRuns(POSTGRES_TEST_URL, "beseda_test_");
}
