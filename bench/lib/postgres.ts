// Schemas of the local PostgreSQL for the bench: each store a run measures lives in a schema of
// its own, named after the run's process, and dropped when the run is done. A run killed midway
// leaves its schemas behind; the next run drops those of processes that are gone.
import pg from "pg";
import { dropSchemasOfEndedRuns } from "../../packages/server/test/helpers/leftover-schemas.ts";

/** The database the bench uses: the local server's `test`, as the tests and CI have it. */
export const BENCH_POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const PREFIX = "beseda_bench_";

export interface BenchSchema {
  name: string;
  /** A database URL whose connections work in the schema. */
  url: string;
  drop(): Promise<void>;
}

async function query(statement: string): Promise<{ name: string }[]> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query<{ name: string }>(statement)).rows;
  } finally {
    await client.end();
  }
}

/** A new, empty schema for one store of this run; `label` is letters, digits and underscores. */
export async function createBenchSchema(label: string): Promise<BenchSchema> {
  const name = `${PREFIX}${process.pid}_${label}`;
  await query(dropStatement(name));
  await query(`create schema "${name}"`);
  const url = new URL(BENCH_POSTGRES_URL);
  url.searchParams.set("options", `-c search_path=${name}`);
  return {
    name,
    url: url.href,
    drop: async () => {
      await query(dropStatement(name));
    },
  };
}

function dropStatement(name: string): string {
  return `drop schema if exists "${name}" cascade`;
}

/** Drops the schemas of bench runs whose process is gone. */
export async function dropLeftoverBenchSchemas(): Promise<void> {
  await dropSchemasOfEndedRuns(BENCH_POSTGRES_URL, PREFIX);
}
