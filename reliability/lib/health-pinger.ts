// `GET /healthz` every `intervalMs` on one kept-alive connection of its own, recording how long
// each answer took: a request the server's event loop cannot answer (stalled by an upload) shows
// as a long latency here. One request at a time, so a stall is measured once, not queued behind
// itself. The pings come from a process of their own (pinger-process.ts), so that what this
// process does meanwhile (building and sending uploads) is not taken for the server's stall.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const PINGER = fileURLToPath(new URL("./pinger-process.ts", import.meta.url));

export interface Pinger {
  /** Stops after the request in flight; the latencies in ms, and the errors met. */
  stop(): Promise<{ latencies: number[]; errors: number }>;
}

export async function startPinger(base: string, intervalMs = 10): Promise<Pinger> {
  const child = fork(PINGER, [base, String(intervalMs)], { stdio: "inherit" });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("error", reject);
  });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        child.once("message", (result) =>
          resolve(result as { latencies: number[]; errors: number }),
        );
        child.once("exit", (code) => reject(new Error(`the pinger exited (${code})`)));
        child.send("stop");
      }),
  };
}
