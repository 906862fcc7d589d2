// Every row of every table (the request counters aside), in a stable order: compare two snapshots
// to prove that a refused request changed nothing. The tables are the database's own list
// (Kysely's introspection, which works on every dialect and leaves out its migration tables), so a
// table a migration adds is in every snapshot without anyone remembering to list it.
import { sql } from "kysely";
import type { Store } from "../../src/store/store.ts";

/** The store's tables, sorted by name (on PostgreSQL, those of the store's own schema). */
export async function storeTables(store: Store): Promise<string[]> {
  if (store.dialect === "postgres") {
    // Asked of the current schema only: other tests' schemas come and go meanwhile.
    const { rows } = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'
        and table_name not like 'kysely\_%'`.execute(store.db);
    return rows.map((row) => row.name).sort();
  }
  const tables = await store.db.introspection.getTables();
  return tables.map((table) => table.name).sort();
}

/**
 * Tables a refused request does change: the rate limits' counts (on PostgreSQL; in memory on
 * SQLite), where every request is counted, refused or not, as production counts them; and the
 * time until which a node with watchers of the live events says so, rewritten every few seconds.
 */
export const UNCOMPARED_TABLES: readonly string[] = ["rate_limit", "live_watch"];

export async function storeSnapshot(store: Store): Promise<string> {
  const tables: Record<string, string[]> = {};
  for (const table of await storeTables(store)) {
    if (UNCOMPARED_TABLES.includes(table)) continue;
    // The table names come from the database, not from Database's type: a dynamic reference.
    const rows = await store.db
      .selectFrom(table as "account")
      .selectAll()
      .execute();
    tables[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return JSON.stringify(tables);
}
