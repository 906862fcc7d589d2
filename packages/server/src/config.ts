// The one typed configuration of the server. Every setting has an env var and a flag; the README's
// settings table lists exactly the entries of SETTINGS (a test keeps them in step). Start-up fails
// fast with a clear message on any bad value.
import { accessSync, constants } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

export type AuthErrorStyle = "production" | "document";
export type WebhookMode = "sandbox" | "production";
export type SqliteSynchronous = "normal" | "full";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Where media blobs are kept; null: the data dir's media folder. Nodes of one cluster share one. */
  mediaDir: string | null;
  /** postgres://…: the store is PostgreSQL (several nodes may share it); null: SQLite in the data dir. */
  databaseUrl: string | null;
  /** Connections to PostgreSQL this node keeps at most. */
  databasePoolSize: number;
  /** Base of every absolute URL the server writes into responses; null: derived from host and port. */
  publicUrl: string | null;
  /** Guards /sandbox/v1; null: generated on first start and kept in the data dir. */
  adminToken: string | null;
  demo: boolean;
  tokenTtlSeconds: number;
  rateLimitPerMinute: number;
  /** Milliseconds for a request's line and headers to arrive; at most requestTimeoutMs. */
  headersTimeoutMs: number;
  /** Milliseconds for a whole request, headers and body, to arrive. */
  requestTimeoutMs: number;
  /** Milliseconds without a byte either way, while a request is in progress. */
  idleTimeoutMs: number;
  /** Milliseconds a keep-alive connection may wait for its next request. */
  keepAliveTimeoutMs: number;
  authErrors: AuthErrorStyle;
  logLevel: LogLevel;
  sqliteSynchronous: SqliteSynchronous;
  /** Megabytes of SQLite's page cache on the server's connection. */
  sqliteCacheMb: number;
  webhookMode: WebhookMode;
  webhookProbe: boolean;
  /** Seconds to wait before each retry of a failed delivery; the last repeats until give-up. */
  webhookRetrySchedule: number[];
  /** Seconds after which a delivery that never got a 200 is marked failed. */
  webhookGiveUpAfter: number;
  /** Seconds a node holds a delivery it sends before another node may take it over. */
  webhookLease: number;
  /** Image uploads decoded at once, each in a worker thread. */
  imageWorkers: number;
  /** Megabytes the image decodes running at once may take together. */
  imageMemoryMb: number;
  /** A fixture (GET /sandbox/v1/export's document) loaded into an empty data dir at start. */
  fixture: string | null;
  /** Seeds the random source of ids and secrets; null: the system's generator. */
  randomSeed: number | null;
}

export class ConfigError extends Error {}

interface Setting<K extends keyof Config> {
  key: K;
  env: string;
  flag: string;
  default: Config[K];
  description: string;
  parse: (raw: string, name: string) => Config[K];
}

function integer(min: number, max: number) {
  return (raw: string, name: string): number => {
    if (!/^\d+$/.test(raw.trim()))
      throw new ConfigError(`${name} must be an integer, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) {
      throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
    }
    return value;
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string, name: string): T => {
    const found = values.find((v) => v === raw.trim().toLowerCase());
    if (!found) throw new ConfigError(`${name} must be one of ${values.join(", ")}, got "${raw}"`);
    return found;
  };
}

function boolean(raw: string, name: string): boolean {
  const value = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function text(raw: string, name: string): string {
  if (raw.trim() === "") throw new ConfigError(`${name} must not be empty`);
  return raw.trim();
}

function postgresUrl(raw: string, name: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${name} must be a postgres:// URL, got something that is not a URL`);
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    // The value may hold a password: only its scheme is repeated.
    throw new ConfigError(`${name} must be a postgres:// URL, got a ${url.protocol}// one`);
  }
  return raw.trim();
}

function httpUrl(raw: string, name: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`${name} must use http or https, got "${raw}"`);
  }
  return url.href.replace(/\/+$/, "");
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90", "90s", "2m", "1h", "1d" → seconds. */
function seconds(raw: string, name: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(raw.trim());
  if (!match)
    throw new ConfigError(`${name} must be a duration like 30s, 2m, 1h or 1d, got "${raw}"`);
  return Number(match[1]) * (UNITS[match[2] || "s"] ?? 1);
}

function durations(raw: string, name: string): number[] {
  const list = raw.split(",").map((part) => seconds(part, name));
  if (list.length === 0 || list.some((value) => value < 1)) {
    throw new ConfigError(`${name} must list durations of at least 1s, got "${raw}"`);
  }
  return list;
}

function readableFile(raw: string, name: string): string {
  const path = resolve(text(raw, name));
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new ConfigError(`${name}: cannot read the file ${path}`);
  }
  return path;
}

function secret(raw: string, name: string): string {
  if (raw.length < 16) throw new ConfigError(`${name} must be at least 16 characters long`);
  return raw;
}

export const SETTINGS: readonly Setting<keyof Config>[] = [
  {
    key: "port",
    env: "PORT",
    flag: "port",
    default: 8080,
    description: "TCP port to listen on (0 picks a free one).",
    parse: integer(0, 65535),
  },
  {
    key: "host",
    env: "HOST",
    flag: "host",
    default: "127.0.0.1",
    description: "Address to listen on.",
    parse: text,
  },
  {
    key: "dataDir",
    env: "BESEDA_DATA_DIR",
    flag: "data-dir",
    default: "./data",
    description:
      "Folder of the SQLite store (unless `BESEDA_DATABASE_URL` is set), the generated admin token, the URL-signing key and, by default, the media.",
    parse: text,
  },
  {
    key: "mediaDir",
    env: "BESEDA_MEDIA_DIR",
    flag: "media-dir",
    default: null,
    description:
      "Folder of the uploaded images' and voice files' bytes. Default: `DATA_DIR/media`. Nodes of one cluster (one `BESEDA_DATABASE_URL`) must all point at the same folder, an NFS mount say, so that each serves what another stored.",
    parse: text,
  },
  {
    key: "databaseUrl",
    env: "BESEDA_DATABASE_URL",
    flag: "database-url",
    default: null,
    description:
      "`postgres://user:password@host:5432/db`: keep the store in PostgreSQL instead of SQLite, so that several Beseda nodes can share it (see Deployment). A `?options=-c search_path=NAME` suffix picks a schema.",
    parse: postgresUrl,
  },
  {
    key: "databasePoolSize",
    env: "BESEDA_DATABASE_POOL_SIZE",
    flag: "database-pool-size",
    default: 10,
    description: "Connections to PostgreSQL each node keeps at most.",
    parse: integer(1, 1000),
  },
  {
    key: "publicUrl",
    env: "BESEDA_PUBLIC_URL",
    flag: "public-url",
    default: null,
    description:
      "Base of absolute URLs in responses (avatars, items). Default: `http://HOST:PORT`. An https one (behind a TLS proxy) also marks the console's cookie Secure.",
    parse: httpUrl,
  },
  {
    key: "adminToken",
    env: "BESEDA_ADMIN_TOKEN",
    flag: "admin-token",
    default: null,
    description:
      "Bearer token of the sandbox API (16+ chars). Default: generated on first start, kept in `DATA_DIR/admin-token`, printed.",
    parse: secret,
  },
  {
    key: "demo",
    env: "BESEDA_DEMO",
    flag: "demo",
    default: true,
    description: "Seed the demo world into an empty data dir (`--no-demo` to skip).",
    parse: boolean,
  },
  {
    key: "tokenTtlSeconds",
    env: "BESEDA_TOKEN_TTL_SECONDS",
    flag: "token-ttl",
    default: 86400,
    description: "Lifetime of access tokens, in seconds of the sandbox clock.",
    parse: integer(1, 365 * 86400),
  },
  {
    key: "rateLimitPerMinute",
    env: "BESEDA_RATE_LIMIT_PER_MINUTE",
    flag: "rate-limit",
    default: 600,
    description: "Messenger requests per account and minute before 429.",
    parse: integer(1, 1_000_000_000),
  },
  // Connection timeouts, in milliseconds (tests need fractions of a second). A timed-out request is
  // answered 408 and its connection closed, so that slow clients cannot hold the server.
  {
    key: "headersTimeoutMs",
    env: "BESEDA_HEADERS_TIMEOUT_MS",
    flag: "headers-timeout",
    default: 20_000,
    description:
      "Milliseconds for a request's line and headers to arrive, then 408 and the connection is closed. At most the request timeout.",
    parse: integer(1, 3_600_000),
  },
  {
    key: "requestTimeoutMs",
    env: "BESEDA_REQUEST_TIMEOUT_MS",
    flag: "request-timeout",
    default: 60_000,
    description:
      "Milliseconds for a whole request, headers and body, to arrive, then 408 and the connection is closed.",
    parse: integer(1, 3_600_000),
  },
  {
    key: "idleTimeoutMs",
    env: "BESEDA_IDLE_TIMEOUT_MS",
    flag: "idle-timeout",
    default: 60_000,
    description:
      "Milliseconds without a byte either way while a request is in progress, then the connection is closed (408 if the body was still arriving).",
    parse: integer(1, 3_600_000),
  },
  {
    key: "keepAliveTimeoutMs",
    env: "BESEDA_KEEP_ALIVE_TIMEOUT_MS",
    flag: "keep-alive-timeout",
    default: 72_000,
    description:
      "Milliseconds a keep-alive connection may wait for its next request (longer than load balancers' usual 60 s; Node adds 1 s of grace).",
    parse: integer(1, 3_600_000),
  },
  {
    key: "authErrors",
    env: "BESEDA_AUTH_ERRORS",
    flag: "auth-errors",
    default: "production",
    description:
      "`production`: a bad token answers 403 `{result:{status:false,…}}` as api.avito.ru does; `document`: the document's 401 `authError`.",
    parse: oneOf(["production", "document"] as const),
  },
  {
    key: "logLevel",
    env: "BESEDA_LOG_LEVEL",
    flag: "log-level",
    default: "info",
    description: "pino log level: fatal, error, warn, info, debug, trace or silent.",
    parse: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const),
  },
  {
    key: "sqliteSynchronous",
    env: "BESEDA_SQLITE_SYNCHRONOUS",
    flag: "sqlite-synchronous",
    default: "normal",
    description:
      "`normal`: every acknowledged write survives a crash or `kill -9` of Beseda (WAL); `full`: an fsync on every commit, surviving a power cut too, at several times the cost per write.",
    parse: oneOf(["normal", "full"] as const),
  },
  {
    key: "sqliteCacheMb",
    env: "BESEDA_SQLITE_CACHE_MB",
    flag: "sqlite-cache-mb",
    default: "8",
    description:
      "Megabytes of SQLite's own page cache (the operating system caches the file as well). More helps a store much larger than memory a little; each megabyte is one more of the server's RSS.",
    parse: integer(1, 65_536),
  },
  {
    key: "webhookMode",
    env: "BESEDA_WEBHOOK_MODE",
    flag: "webhook-mode",
    default: "sandbox",
    description:
      "`sandbox`: webhooks may go to loopback and private addresses (where bots run while developed); `production`: only public addresses, checked on the address actually connected to.",
    parse: oneOf(["sandbox", "production"] as const),
  },
  {
    key: "webhookProbe",
    env: "BESEDA_WEBHOOK_PROBE",
    flag: "webhook-probe",
    default: true,
    description:
      "Probe a webhook URL with `POST {}` before subscribing it, as production does (`--no-webhook-probe` to skip).",
    parse: boolean,
  },
  {
    key: "webhookRetrySchedule",
    env: "BESEDA_WEBHOOK_RETRY_SCHEDULE",
    flag: "webhook-retry-schedule",
    default: [1, 5, 30, 120, 600, 1800, 3600],
    description:
      "Waits before each retry of a delivery, with ±20% jitter (a longer `Retry-After` wins); the last repeats until give-up.",
    parse: durations,
  },
  {
    key: "webhookGiveUpAfter",
    env: "BESEDA_WEBHOOK_GIVE_UP_AFTER",
    flag: "webhook-give-up-after",
    default: 86400,
    description: "A delivery not answered 200 within this time is marked failed.",
    parse: seconds,
  },
  {
    key: "webhookLease",
    env: "BESEDA_WEBHOOK_LEASE",
    flag: "webhook-lease",
    default: 30,
    description:
      "With several nodes on one PostgreSQL: how long a node holds a delivery it sends. When a node dies, the deliveries it held are taken over by another after this time. Longer than any attempt (2 s, plus a fault rule's latency).",
    parse: seconds,
  },
  {
    key: "imageWorkers",
    env: "BESEDA_IMAGE_WORKERS",
    flag: "image-workers",
    default: 2,
    description:
      "Image uploads decoded at once, each in a worker thread of its own (the request thread never decodes).",
    parse: integer(1, 64),
  },
  {
    key: "imageMemoryMb",
    env: "BESEDA_IMAGE_MEMORY_MB",
    flag: "image-memory",
    default: 512,
    description:
      "Megabytes the image decodes running at once may take together, as estimated from each header before decoding; an image that alone needs more is refused (400), the others wait their turn.",
    parse: integer(64, 1_048_576),
  },
  {
    key: "fixture",
    env: "BESEDA_FIXTURE",
    flag: "fixture",
    default: null,
    description:
      "A world exported by `GET /sandbox/v1/export`, loaded at start into an empty data dir instead of the demo world; a data dir that already holds a world keeps it (the banner says so). A bad file stops the start.",
    parse: readableFile,
  },
  {
    key: "randomSeed",
    env: "BESEDA_RANDOM_SEED",
    flag: "random-seed",
    default: null,
    description:
      "Draw ids and secrets from a generator seeded with this integer, so that the same start makes the same ids, credentials and demo world. Predictable secrets: for tests, never on the internet.",
    parse: integer(0, 2 ** 32 - 1),
  },
];

export const DEFAULT_CONFIG: Config = Object.fromEntries(
  SETTINGS.map((s) => [s.key, s.default]),
) as unknown as Config;

/** Reads flags first, then env vars, then defaults. Throws ConfigError on anything unknown or bad. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const s of SETTINGS) {
    options[s.flag] = { type: typeof s.default === "boolean" ? "boolean" : "string" };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, allowNegative: true, strict: true }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const config: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const flagValue = values[s.flag];
    if (typeof flagValue === "boolean") config[s.key] = flagValue;
    else if (flagValue !== undefined) config[s.key] = s.parse(flagValue, `--${s.flag}`);
    else if (env[s.env] !== undefined && env[s.env] !== "") {
      config[s.key] = s.parse(env[s.env] as string, s.env);
    } else config[s.key] = s.default;
  }
  const result = config as unknown as Config;
  result.dataDir = resolve(result.dataDir);
  if (result.mediaDir !== null) result.mediaDir = resolve(result.mediaDir);
  // Node refuses to start otherwise; the names say which settings to change.
  if (result.headersTimeoutMs > result.requestTimeoutMs) {
    throw new ConfigError(
      `BESEDA_HEADERS_TIMEOUT_MS (${result.headersTimeoutMs}) must not exceed BESEDA_REQUEST_TIMEOUT_MS (${result.requestTimeoutMs})`,
    );
  }
  return result;
}

/** A database URL without its password, for messages and logs. */
export function describeDatabaseUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.password = "";
    url.search = "";
    return url.href;
  } catch {
    return "the configured database";
  }
}
