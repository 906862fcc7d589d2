// Where the sandbox verbs find the server and its admin token: --url (BESEDA_URL, else
// http://127.0.0.1:PORT), --admin-token (BESEDA_ADMIN_TOKEN, else the token a server keeps in
// DATA_DIR/admin-token, with --data-dir or BESEDA_DATA_DIR, ./data by default).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CliError, type Connection } from "./sandbox-client.ts";

export const CONNECTION_OPTIONS = {
  url: { type: "string" },
  "admin-token": { type: "string" },
  "data-dir": { type: "string" },
} as const;

export const CONNECTION_USAGE = [
  "  --url URL            BESEDA_URL          the server (default http://127.0.0.1:$PORT, 8080)",
  "  --admin-token T      BESEDA_ADMIN_TOKEN  its sandbox admin token",
  "  --data-dir DIR       BESEDA_DATA_DIR     else the token is read from DIR/admin-token (./data)",
];

export function connectionOf(
  values: { url?: string; "admin-token"?: string; "data-dir"?: string },
  env: NodeJS.ProcessEnv,
): Connection {
  const url = (values.url ?? env.BESEDA_URL ?? `http://127.0.0.1:${env.PORT ?? 8080}`).replace(
    /\/+$/,
    "",
  );
  if (!/^https?:\/\/[^/]+/.test(url))
    throw new CliError(`--url must be an http(s) URL, got "${url}"`);
  const given = values["admin-token"] ?? env.BESEDA_ADMIN_TOKEN;
  if (given) return { url, adminToken: given };
  const file = join(values["data-dir"] ?? env.BESEDA_DATA_DIR ?? "./data", "admin-token");
  try {
    return { url, adminToken: readFileSync(file, "utf8").trim() };
  } catch {
    throw new CliError(
      `no admin token: give --admin-token (or BESEDA_ADMIN_TOKEN), or --data-dir of the server (no ${file})`,
    );
  }
}
