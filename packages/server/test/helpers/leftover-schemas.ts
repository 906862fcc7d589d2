// Schemas of the local PostgreSQL made by runs that have ended: the tests and the bench name each
// schema `PREFIX<pid>_…` after the process of their run, so a run killed midway leaves its own,
// and the next run drops those of processes that are gone (never those of a run still going).
import pg from "pg";

/** Drops the schemas of `databaseUrl` named `prefix<pid>_…` whose process is gone. */
export async function dropSchemasOfEndedRuns(databaseUrl: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "select nspname as name from pg_namespace where starts_with(nspname, $1)",
      [prefix],
    );
    for (const { name } of rows) {
      const pid = Number(/^(\d+)_/.exec(name.slice(prefix.length))?.[1]);
      if (Number.isInteger(pid) && isAlive(pid)) continue;
      await client.query(`drop schema if exists "${name}" cascade`);
    }
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
