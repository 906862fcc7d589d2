// The Beseda `beseda test` starts when it is given no --url: `beseda serve` in a child process on
// a free loopback port, with an empty data dir of its own (no demo world) and a random admin
// token; ready once its banner says where it listens. Its supervisor makes the data dir (a
// temporary folder) and removes it when the server ends, however the runner ends. Stopped with
// SIGTERM (killed after 10 s).
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { OutputLog } from "./output-log.ts";
import { describeExit, type Exit, spawnGroup } from "./process-group.ts";
import { TEMP_DIR_ARG } from "./supervisor-spec.ts";

const CLI = fileURLToPath(new URL("../../cli.js", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
/** Lines of its output shown when it failed. */
const SHOWN_LINES = 20;
/** Settings of the user's environment that would change what this server is. */
const IGNORED_ENV = ["BESEDA_FIXTURE", "BESEDA_PUBLIC_URL", "BESEDA_URL", "BESEDA_DATA_DIR"];
/** The name prefix of its data dir, in the system's temporary folder. */
export const OWN_DATA_DIR_PREFIX = "beseda-test-";

export interface OwnServer {
  url: string;
  adminToken: string;
  /** Null while it runs. */
  exit(): Exit | null;
  /**
   * Why it is no use any more ("the Beseda started for this run exited (code 1): …" with its
   * last lines), or null while it runs.
   */
  failure(): string | null;
  stop(): Promise<void>;
}

export async function startOwnServer(signal: AbortSignal): Promise<OwnServer> {
  const adminToken = randomBytes(24).toString("base64url");
  const env = { ...process.env };
  for (const name of IGNORED_ENV) delete env[name];
  const server = spawnGroup(
    {
      command: process.execPath,
      args: [
        CLI,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        TEMP_DIR_ARG,
        // One argument: a base64url token may begin with "-", which would read as an option.
        `--admin-token=${adminToken}`,
        "--no-demo",
        // Bots under test run on loopback, so webhooks must be allowed to reach it.
        "--webhook-mode",
        "sandbox",
        "--log-level",
        "warn",
      ],
      shell: false,
      graceMs: STOP_GRACE_MS,
      tempDirPrefix: OWN_DATA_DIR_PREFIX,
    },
    env,
  );
  const output = new OutputLog(null);
  output.follow(server.supervisor.stdout);
  output.follow(server.supervisor.stderr);
  const lastLines = () => output.last(SHOWN_LINES).join("\n");
  const failure = () => {
    const exit = server.exit();
    if (exit === null) return null;
    return `the Beseda started for this run exited (${describeExit(exit)}):\n${lastLines()}`;
  };

  const started = performance.now();
  try {
    for (;;) {
      const url = /Beseda is listening on (http:\/\/\S+)/.exec(output.text())?.[1];
      if (url) {
        return { url, adminToken, exit: () => server.exit(), failure, stop: () => server.stop() };
      }
      const failed = failure();
      if (failed !== null) throw new Error(failed);
      if (signal.aborted) throw new Error("interrupted while Beseda was starting");
      if (performance.now() - started > START_TIMEOUT_MS) {
        throw new Error(
          `the Beseda started for this run did not start within ${START_TIMEOUT_MS / 1000} s:\n${lastLines()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
}
