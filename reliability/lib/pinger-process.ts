// The pinger's own process (see health-pinger.ts): GET /healthz every `interval` ms on one
// kept-alive connection until the parent says stop, then sends back every latency. Kept apart
// from the process that uploads, whose own work (building a 24 MB body) would otherwise show up
// as the server's stall.
import { Agent, request } from "node:http";
import { setPriority } from "node:os";

const [base = "", interval = "10"] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const latencies: number[] = [];
let errors = 0;
let running = true;

function healthz(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/healthz`, { agent }, (response) => {
      response.resume();
      response.on("end", () =>
        response.statusCode === 200 ? resolve() : reject(new Error(`${response.statusCode}`)),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The instrument, not the load: above the usual priority where allowed, so that on a machine
// whose cores the load fills, the pinger's own wake-ups are not taken for the server's stalls.
try {
  setPriority(0, -5);
} catch {
  // Not allowed (no privilege): the usual priority, and a noisier floor.
}

process.on("message", () => {
  running = false;
});
process.send?.("ready");
while (running) {
  const started = performance.now();
  try {
    await healthz();
    latencies.push(performance.now() - started);
  } catch {
    errors++;
    // The server may be gone; do not spin on a refused connection.
    await sleep(100);
  }
  await sleep(Math.max(0, Number(interval) - (performance.now() - started)));
}
agent.destroy();
process.send?.({ latencies, errors }, () => process.exit(0));
