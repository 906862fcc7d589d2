// One load run: autocannon in its own process (so that the load generator does not share an event
// loop with anything it measures), its JSON result reduced to the figures the suite reports.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const AUTOCANNON = fileURLToPath(
  new URL("../../node_modules/autocannon/autocannon.js", import.meta.url),
);

export interface LoadRequest {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts and answers that were not 2xx. */
  errors: number;
  requests: number;
}

export async function load(
  request: LoadRequest,
  options: { connections: number; seconds: number },
): Promise<LoadResult> {
  const args = [
    AUTOCANNON,
    "--json",
    "-c",
    String(options.connections),
    "-d",
    String(options.seconds),
  ];
  args.push("-m", request.method ?? "GET");
  for (const [name, value] of Object.entries(request.headers ?? {}))
    args.push("-H", `${name}=${value}`);
  if (request.body !== undefined) args.push("-b", request.body);
  args.push(request.url);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`autocannon failed (${code}): ${stderr.slice(-1000)}`);
  const result = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  };
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}
