// Beseda as its users run it: `node src/cli.js serve …` in a child process, for what only a real
// process shows (the banner, signals, kill -9, exit codes).
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { testDatabaseFor } from "./test-database.ts";

const CLI = fileURLToPath(new URL("../../src/cli.js", import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, BESEDA_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * Starts `serve` on a free port and waits for its banner. On PostgreSQL (BESEDA_TEST_STORE), the
 * data dir's schema is its store, as for an in-process test server (left for the test run's
 * teardown to drop, with every test schema).
 */
export async function startServerProcess(
  dataDir: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const { databaseUrl } = await testDatabaseFor(dataDir);
  const run = runCli(["serve", "--port", "0", "--data-dir", dataDir, ...args], {
    ...(databaseUrl === null ? {} : { BESEDA_DATABASE_URL: databaseUrl }),
    ...env,
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(run.stdout());
    if (match?.[1] && run.stdout().includes("admin token")) return { ...run, url: match[1] };
    if (run.child.exitCode !== null) throw new Error(`server exited: ${run.stderr()}`);
    if (Date.now() > deadline)
      throw new Error(`no banner after 15 s: ${run.stdout()} ${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The value printed after `label:` in the banner. */
export function bannerValue(stdout: string, label: string): string {
  const match = new RegExp(`${label}:\\s+(\\S+)`).exec(stdout);
  if (!match?.[1]) throw new Error(`no ${label} in banner: ${stdout}`);
  return match[1];
}

/** A TCP port free right now on loopback: for a server that must come back on the same port. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
