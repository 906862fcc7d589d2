// Opens the store the configuration names. A PostgreSQL that cannot be reached or migrated at
// start is a ConfigError (exit code 2), said on one line without the URL's password.
import type { Logger } from "pino";
import { type Config, ConfigError, describeDatabaseUrl } from "./config.ts";
import { openStore, type Store } from "./store/store.ts";
import { isStoreUnavailable } from "./store/store-errors.ts";

/** The configured store; a database that cannot be reached or migrated is a ConfigError (exit 2). */
export async function openConfiguredStore(config: Config, log: Logger): Promise<Store> {
  try {
    return await openStore({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      sqliteSynchronous: config.sqliteSynchronous,
      sqliteCacheMb: config.sqliteCacheMb,
      poolSize: config.databasePoolSize,
      onBackgroundError: (error) =>
        config.databaseUrl === null
          ? log.error(
              { err: error },
              "the WAL checkpointer failed; SQLite checkpoints on commit instead",
            )
          : log.warn({ err: error }, "an idle PostgreSQL connection failed; the pool replaces it"),
    });
  } catch (error) {
    if (config.databaseUrl === null) throw error;
    const what = isStoreUnavailable(error)
      ? "cannot reach PostgreSQL"
      : "cannot open the PostgreSQL store";
    throw new ConfigError(
      `${what} at ${describeDatabaseUrl(config.databaseUrl)} (BESEDA_DATABASE_URL or --database-url): ${oneLineReason(error, config.databaseUrl)}`,
    );
  }
}

/** Why the database refused, on one line, never with the URL's password. */
function oneLineReason(error: unknown, databaseUrl: string): string {
  // A failed connect to every address of a name is an AggregateError whose message can be empty.
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  let reason =
    typeof message === "string" && message.trim() !== ""
      ? message
      : typeof code === "string"
        ? code
        : String(error);
  const password = URL.canParse(databaseUrl) ? new URL(databaseUrl).password : "";
  if (password !== "") {
    // As written in the URL, and as sent to the server (percent-decoded).
    let decoded = password;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      // A malformed escape is sent as written.
    }
    for (const form of new Set([password, decoded])) reason = reason.replaceAll(form, "***");
  }
  return reason.replace(/\s*\n\s*/g, " ").trim();
}
