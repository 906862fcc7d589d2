// Opens the PostgreSQL store: a pool of connections to BESEDA_DATABASE_URL, the schema migrated
// (Kysely's migrator locks, so nodes starting together migrate once). Every transaction runs at
// READ COMMITTED; the repositories that need more lock rows explicitly (see ./locks.ts).
import { Kysely, sql, type Transaction } from "kysely";
import pg from "pg";
import { migrateToLatest } from "../migrate.ts";
import type { Database } from "../schema.ts";
import type { Store } from "../store.ts";
import { PostgresChangeSignals } from "./pg-change-signals.ts";
import { retriedTransaction } from "./retried-transaction.ts";
import { SchemaScopedPostgresDialect } from "./schema-introspector.ts";

export interface PostgresOptions {
  /** Connections this node keeps at most. */
  poolSize?: number;
  /** Told when an idle connection of the pool fails (the pool replaces it). */
  onBackgroundError?: (error: Error) => void;
}

/** PostgreSQL's int8 (bigint, count(*)) as a JS number: ids and milliseconds fit in 2^53. */
const INT8_OID = 20;

function typeParsers(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: "text" | "binary") =>
      oid === INT8_OID
        ? (value: string) => Number(value)
        : pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
  };
}

export async function openPostgresStore(
  url: string,
  options: PostgresOptions = {},
): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: typeParsers(),
    // A database that is gone fails the request at once (503) rather than queueing it forever.
    connectionTimeoutMillis: 5_000,
    // A peer that vanished without a word (a cut network) is noticed by the OS, not only when a
    // query waits for it.
    keepAlive: true,
    application_name: "beseda",
  });
  pool.on("error", (error) => options.onBackgroundError?.(error));
  // A connection that dies while a query holds it fails that query (answered 503); the event it
  // also emits must not crash the process. Idle ones are reported by the pool's "error" above.
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool }) });
  let schema: string;
  try {
    schema = await currentSchema(db);
    await migrateToLatest(db, schema);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const signals = new PostgresChangeSignals(url, pool, schema, (error) =>
    options.onBackgroundError?.(error),
  );
  return {
    db,
    dialect: "postgres",
    signals,
    transaction: <T>(work: (tx: Transaction<Database>) => Promise<T>) =>
      retriedTransaction(db, work),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    // Bulk loads (the seed command) go through the same multi-row INSERTs. The planner's
    // statistics are then brought up to date: until autovacuum gets to it, a freshly loaded table
    // looks empty, and its reads are planned as such.
    withBulkLoad: async (work) => {
      try {
        return await work();
      } finally {
        await sql`analyze`.execute(db);
      }
    },
    close: async () => {
      await signals.close();
      await db.destroy();
    },
  };
}

async function currentSchema(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  );
  const schema = rows[0]?.schema;
  if (!schema) throw new Error("no schema to work in: the search_path names none that exists");
  return schema;
}
