// Kysely's SQLite driver prepares every query anew; preparing costs more than running most of
// ours. The same SQL text reuses its prepared statement.
import type SqliteDatabase from "better-sqlite3";

/** Prepared statements kept; a statement for a long list of values can hold 100 KB. */
const CACHED_STATEMENTS = 256;

/**
 * Lists of values make a new text for each length, so the cache is bounded, dropping the oldest
 * first (the hot paths split their lists into a few fixed lengths, see chunks.ts, so their
 * statements stay well within it; one dropped is merely prepared again).
 */
export function withStatementCache(file: SqliteDatabase.Database) {
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
