// The server's secrets: the admin token and the key that signs expiring media links. A single
// SQLite node keeps them in files of its data dir; nodes sharing a PostgreSQL keep them in the
// database, so that every node accepts the same token and verifies another node's links. Each node
// also keeps its own id in its data dir (it names the node's webhook leases).
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";
import { keepSecret } from "./store/repositories/server-secrets.ts";
import type { Store } from "./store/store.ts";

export const ADMIN_TOKEN_FILE = "admin-token";
/** Keys the signatures of expiring media links. */
export const SIGNING_KEY_FILE = "url-signing-key";
/** This node's id, for its leases of webhook deliveries. */
export const NODE_ID_FILE = "node-id";

/** Where the admin token came from: a configured one is never printed. */
export type AdminTokenSource = "configured" | "data dir" | "database" | "generated";

/** A secret kept in a file of the data dir (readable by its owner only), made on first need. */
function keptSecret(file: string, make: () => string): { secret: string; generated: boolean } {
  const kept = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
  if (kept !== "") return { secret: kept, generated: false };
  const secret = make();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, generated: true };
}

/**
 * A secret of the server: in the data dir of a single SQLite node; on PostgreSQL in the database,
 * shared by every node (a link signed by one must verify on another).
 */
async function serverSecret(
  config: Config,
  store: Store,
  name: string,
  make: () => string,
): Promise<{ secret: string; generated: boolean }> {
  if (store.dialect === "sqlite") return keptSecret(join(config.dataDir, name), make);
  const kept = await keepSecret(store.db, name, make());
  return { secret: kept.value, generated: kept.generated };
}

/**
 * 32 base64url characters, never starting with "-": the token is given on command lines
 * (`beseda test --admin-token TOKEN`), where a leading dash reads as an option (1 in 64 did).
 */
export function newAdminToken(): string {
  for (;;) {
    const token = randomBytes(24).toString("base64url");
    if (!token.startsWith("-")) return token;
  }
}

/** The configured admin token, else the one kept (data dir or database), else a new one kept there. */
export async function settleAdminToken(
  config: Config,
  store: Store,
): Promise<{ token: string; source: AdminTokenSource }> {
  if (config.adminToken) return { token: config.adminToken, source: "configured" };
  const kept = await serverSecret(config, store, ADMIN_TOKEN_FILE, newAdminToken);
  if (store.dialect === "sqlite") {
    return { token: kept.secret, source: kept.generated ? "generated" : "data dir" };
  }
  // A copy in the node's data dir too: the `beseda` command on its machine finds it there.
  writeFileSync(join(config.dataDir, ADMIN_TOKEN_FILE), `${kept.secret}\n`, { mode: 0o600 });
  return { token: kept.secret, source: kept.generated ? "generated" : "database" };
}

/** This node's id, kept in its data dir: the same data dir is the same node after a restart. */
export function nodeIdOf(config: Config): string {
  return keptSecret(join(config.dataDir, NODE_ID_FILE), () => randomBytes(8).toString("hex"))
    .secret;
}

/** The key that signs expiring media links. */
export async function signingKeyOf(config: Config, store: Store): Promise<Buffer> {
  const kept = await serverSecret(config, store, SIGNING_KEY_FILE, () =>
    randomBytes(32).toString("hex"),
  );
  return Buffer.from(kept.secret, "hex");
}
