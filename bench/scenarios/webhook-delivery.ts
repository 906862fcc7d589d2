// Issue "Webhooks": messages sent through the API with delivery on, and the time from each send's
// 200 to the webhook's arrival at a local receiver that answers at once.
//  - full load: 50 chats, each sending as fast as its answers come back, then the wait until
//    every delivery has arrived; deliveries per second count that wait too.
//  - paced: a steady 2,000 messages a second (open loop, round the chats), and a quiet 100.
// Baseline, in the same run: the bench process POSTing the same bodies straight to the same
// receiver with the same concurrency (the ceiling of loopback HTTP here). Senders use node:http
// with keep-alive connections: the load generator must cost less than what it measures.
// A latency can be negative: the webhook may reach the receiver before the 200 reaches the sender.
import { Agent, request as httpRequest } from "node:http";
import type { Scenario, ScenarioResult } from "../lib/report.ts";
import { cpuSeconds, peakRssMb, startBenchServer } from "../lib/server-process.ts";
import { round } from "../lib/stats.ts";
import {
  closedLoop,
  drained,
  jsonClient,
  latencies,
  percentile,
  receiver,
  type Send,
  sleep,
  webhookWorld,
} from "../lib/webhook-load.ts";

const PACED_RATE = 2000;
const QUIET_RATE = 100;
/** Sends in flight at most while pacing; a server that falls behind shows as a lower rate. */
const PACED_MAX_IN_FLIGHT = 256;

/** The ceiling: the same number of parallel streams POSTing straight to the receiver. */
async function baseline(url: string, streams: number, seconds: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: streams });
  const body = JSON.stringify({ baseline: true, payload: { type: "message" } });
  let sent = 0;
  const deadline = performance.now() + seconds * 1000;
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: "POST", agent, headers: { "content-type": "application/json" } },
        (res) => {
          res.resume();
          res.on("end", () => resolve());
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: streams }, async () => {
      while (performance.now() < deadline) {
        await post();
        sent++;
      }
    }),
  );
  agent.destroy();
  return sent / ((performance.now() - started) / 1000);
}

/** `rate` sends a second, round the chats, for `seconds`, whatever the answers do. */
async function openLoop(chats: readonly string[], rate: number, seconds: number, send: Send) {
  const started = performance.now();
  const total = Math.round(rate * seconds);
  const pending = new Set<Promise<void>>();
  let issued = 0;
  let skipped = 0;
  while (issued + skipped < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    for (; issued + skipped < due; ) {
      if (pending.size >= PACED_MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      const n = issued++;
      const sent = send(chats[n % chats.length] as string, `paced ${n}`).finally(() =>
        pending.delete(sent),
      );
      pending.add(sent);
    }
    await sleep(1);
  }
  await Promise.all(pending);
  return { issued, skipped, seconds: (performance.now() - started) / 1000 };
}

export const webhookDelivery: Scenario = {
  name: "webhook-delivery",
  description:
    "Messages sent through the API with webhook delivery on: rate and send-to-arrival latency",
  async run({ smoke }): Promise<ScenarioResult> {
    const streams = smoke ? 4 : 50;
    const [warmSeconds, loadSeconds, pacedSeconds] = smoke ? [0, 1, 1] : [2, 10, 5];
    const pacedRate = smoke ? 200 : PACED_RATE;
    const hook = await receiver();
    const server = await startBenchServer(["--no-webhook-probe", "--rate-limit", "1000000000"]);
    try {
      const { seller, headers, chats } = await webhookWorld(server, hook.url, streams);
      const client = jsonClient(server.url, headers, streams + PACED_MAX_IN_FLIGHT);

      const failures: string[] = [];
      /** Sends and notes when its 200 arrived into `into`. */
      const sender =
        (into: Map<string, number>): Send =>
        async (chatId, text) => {
          const answer = await client.post(
            `/messenger/v1/accounts/${seller.user_id}/chats/${chatId}/messages`,
            { message: { text }, type: "text" },
          );
          if (answer.status === 200) into.set(answer.body.id as string, performance.now());
          else failures.push(`${answer.status} ${JSON.stringify(answer.body)}`);
        };

      // Warm-up (compilers, caches, connections), not measured.
      const warm = new Map<string, number>();
      await closedLoop(chats, warmSeconds, sender(warm));
      await drained(warm, hook.arrivals, 30_000);

      const loadSent = new Map<string, number>();
      const cpuBefore = [cpuSeconds(server.pid), cpuSeconds(server.pid, true)];
      const started = performance.now();
      await closedLoop(chats, loadSeconds, sender(loadSent));
      const sendSeconds = (performance.now() - started) / 1000;
      const lastArrival = await drained(loadSent, hook.arrivals, 60_000);
      const [cpuAll, cpuMain] = [cpuSeconds(server.pid), cpuSeconds(server.pid, true)].map(
        (seconds, i) => ((seconds - (cpuBefore[i] as number)) * 1e6) / loadSent.size,
      );
      const loadLatencies = latencies(loadSent, hook.arrivals);
      const sendRate = loadSent.size / sendSeconds;
      const deliveryRate = loadLatencies.length / ((lastArrival - started) / 1000);

      const pacedSent = new Map<string, number>();
      const paced = await openLoop(chats, pacedRate, pacedSeconds, sender(pacedSent));
      await drained(pacedSent, hook.arrivals, 30_000);
      const pacedLatencies = latencies(pacedSent, hook.arrivals);
      const pacedP99 = percentile(pacedLatencies, 99);

      const quietSent = new Map<string, number>();
      await openLoop(chats, QUIET_RATE, smoke ? 0.2 : pacedSeconds, sender(quietSent));
      await drained(quietSent, hook.arrivals, 30_000);
      const quietLatencies = latencies(quietSent, hook.arrivals);

      const allSent = new Set([...warm.keys(), ...loadSent.keys(), ...pacedSent.keys()]);
      for (const id of quietSent.keys()) allSent.add(id);
      const unexpected = [...hook.arrivals.keys()].filter((id) => !allSent.has(id));
      const lost = [...allSent].filter((id) => !hook.arrivals.has(id));
      const peak = peakRssMb(server.pid);
      client.close();
      const ceiling = await baseline(hook.url, streams, smoke ? 1 : 5);
      return {
        scenario: this.name,
        description: this.description,
        figures: [
          {
            name: "full load: messages sent",
            value: loadSent.size,
            unit: `in ${round(sendSeconds, 1)} s, ${streams} chats in parallel`,
          },
          { name: "full load: sends per second", value: Math.round(sendRate), unit: "/s" },
          {
            name: "full load: deliveries per second",
            value: Math.round(deliveryRate),
            unit: "/s",
            goal: { text: "≥ 2000/s", met: deliveryRate >= 2000 },
          },
          {
            name: "full load: Beseda CPU per message",
            value: Math.round(cpuAll as number),
            unit: `µs (${Math.round(cpuMain as number)} µs on its main thread)`,
          },
          {
            name: "full load: send 200 → arrival, p50",
            value: round(percentile(loadLatencies, 50), 1),
            unit: "ms",
          },
          {
            name: "full load: send 200 → arrival, p99",
            value: round(percentile(loadLatencies, 99), 1),
            unit: "ms",
          },
          {
            name: `paced: messages sent at ${pacedRate}/s`,
            value: Math.round(paced.issued / paced.seconds),
            unit: `/s (${paced.skipped} not sent: ${PACED_MAX_IN_FLIGHT} already waiting)`,
          },
          {
            name: `paced ${pacedRate}/s: send 200 → arrival, p50`,
            value: round(percentile(pacedLatencies, 50), 1),
            unit: "ms",
          },
          {
            name: `paced ${pacedRate}/s: send 200 → arrival, p99`,
            value: round(pacedP99, 1),
            unit: "ms",
            goal: {
              text: "< 50 ms",
              met: pacedP99 < 50 && paced.skipped === 0 && pacedRate === PACED_RATE,
            },
          },
          {
            name: `quiet ${QUIET_RATE}/s: send 200 → arrival, p50`,
            value: round(percentile(quietLatencies, 50), 1),
            unit: "ms",
          },
          {
            name: `quiet ${QUIET_RATE}/s: send 200 → arrival, p99`,
            value: round(percentile(quietLatencies, 99), 1),
            unit: "ms",
          },
          { name: "delivered", value: allSent.size - lost.length, unit: `of ${allSent.size}` },
          { name: "baseline: direct POSTs per second", value: Math.round(ceiling), unit: "/s" },
          { name: "deliveries / baseline", value: round(deliveryRate / ceiling), unit: "×" },
          { name: "server RSS, peak", value: Math.round(peak), unit: "MB" },
        ],
        notes: [
          "receiver and senders (node:http, keep-alive) run in the bench process, Beseda in its own; SQLite synchronous=normal",
          "send 200 → arrival is measured in the bench process and can be negative: Beseda hands a message to its POST worker as it commits, so the webhook may arrive before the 200 is read",
          ...(failures.length > 0 ? [`${failures.length} sends failed, e.g. ${failures[0]}`] : []),
          ...(lost.length > 0 ? [`${lost.length} messages never arrived, e.g. ${lost[0]}`] : []),
          ...(unexpected.length > 0
            ? [`${unexpected.length} deliveries of messages not sent: ${unexpected[0]}`]
            : []),
        ],
      };
    } finally {
      await server.stop();
      await hook.close();
    }
  },
};
