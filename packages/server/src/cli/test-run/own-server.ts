// The Beseda `beseda test` starts when it is given no --url: `beseda serve` in a child process on
// a free loopback port, with an empty data dir of its own (no demo world) and a random admin
// token; ready once its banner says where it listens. Stopped with SIGTERM (killed after 10 s).
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { OutputLog } from "./output-log.ts";
import { spawnGroup } from "./process-group.ts";

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
/** Settings of the user's environment that would change what this server is. */
const IGNORED_ENV = ["BESEDA_FIXTURE", "BESEDA_PUBLIC_URL", "BESEDA_URL"];

export interface OwnServer {
  url: string;
  adminToken: string;
  stop(): Promise<void>;
}

export async function startOwnServer(dataDir: string, signal: AbortSignal): Promise<OwnServer> {
  const adminToken = randomBytes(24).toString("base64url");
  const env = { ...process.env };
  for (const name of IGNORED_ENV) delete env[name];
  const server = spawnGroup(
    process.execPath,
    [
      CLI,
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--admin-token",
      adminToken,
      "--no-demo",
      // Bots under test run on loopback, so webhooks must be allowed to reach it.
      "--webhook-mode",
      "sandbox",
      "--log-level",
      "warn",
    ],
    { env },
  );
  const output = new OutputLog(null);
  output.follow(server.child.stdout);
  output.follow(server.child.stderr);

  const started = performance.now();
  try {
    for (;;) {
      const url = /Beseda is listening on (http:\/\/\S+)/.exec(output.text())?.[1];
      if (url) return { url, adminToken, stop: () => server.stop(STOP_GRACE_MS) };
      const exit = server.exit();
      if (exit !== null) {
        throw new Error(
          `the Beseda started for this run exited (${exit.signal ?? `code ${exit.code}`}):\n${output.text()}`,
        );
      }
      if (signal.aborted) throw new Error("interrupted while Beseda was starting");
      if (performance.now() - started > START_TIMEOUT_MS) {
        throw new Error(
          `the Beseda started for this run did not start within ${START_TIMEOUT_MS / 1000} s:\n${output.text()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (error) {
    await server.stop(STOP_GRACE_MS);
    throw error;
  }
}
