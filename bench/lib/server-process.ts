// Starts Beseda for a benchmark as users run it: `node packages/server/src/cli.js serve` in its own
// process, on a free port and a temporary data dir, so that its RSS is its own.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../packages/server/src/cli.js", import.meta.url));

/** Node's options for Beseda, as its command's first line and `npm start` give them. */
export const SERVER_NODE_OPTIONS = ["--max-semi-space-size=8"];

export interface BenchServer {
  url: string;
  adminToken: string;
  dataDir: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts Beseda on a new temporary data dir, or on `dataDir` (kept on stop: it is the caller's).
 * `adminToken` is passed to it (nodes of one database share theirs); else the one it generated
 * into the data dir is read. `nodeArgs` go to Node itself (the read profile's --cpu-prof).
 */
export async function startBenchServer(
  args: string[] = [],
  dataDirOfCaller?: string,
  adminToken?: string,
  nodeArgs: readonly string[] = [],
): Promise<BenchServer> {
  const dataDir = dataDirOfCaller ?? mkdtempSync(join(tmpdir(), "beseda-bench-"));
  const child = spawn(
    process.execPath,
    [
      // Node options for Beseda's process only, e.g. "--cpu-prof --cpu-prof-dir=prof".
      ...SERVER_NODE_OPTIONS,
      ...(process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      ...nodeArgs,
      CLI,
      "serve",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--no-demo",
      "--log-level",
      "warn",
      ...(adminToken === undefined ? [] : ["--admin-token", adminToken]),
      ...args,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  let url: string | undefined;
  while (!url) {
    url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (child.exitCode !== null) throw new Error("the server exited during start-up");
    if (Date.now() > deadline) throw new Error("the server did not start within 15 s");
    if (!url) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    adminToken: adminToken ?? readFileSync(join(dataDir, "admin-token"), "utf8").trim(),
    dataDir,
    pid: child.pid ?? 0,
    child,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      if (!dataDirOfCaller) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Peak resident set size of a process so far (VmHWM), in MB; Linux only. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Current resident set size (VmRSS), in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** An account and a personal token on a bench server, through the sandbox and /token. */
export async function benchAccount(server: Pick<BenchServer, "url" | "adminToken">, name: string) {
  const created = await fetch(`${server.url}/sandbox/v1/accounts`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  const account = (await created.json()) as {
    user_id: number;
    client_id: string;
    client_secret: string;
  };
  const issued = await fetch(`${server.url}/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: account.client_id,
      client_secret: account.client_secret,
    }),
  });
  const { access_token } = (await issued.json()) as { access_token: string };
  return { ...account, token: access_token };
}

/** CPU time (user + system) a process has used so far, in seconds; its main thread alone if asked. Linux only. */
export function cpuSeconds(pid: number, mainThreadOnly = false): number {
  const path = mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
  // The fields after the command name (which may hold spaces) start with the state, field 3.
  const fields = readFileSync(path, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
