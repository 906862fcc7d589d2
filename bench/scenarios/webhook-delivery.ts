// Issue "Webhooks": messages sent through the API per second with delivery on, and the time from
// the send's 200 to the webhook's arrival at a local receiver that answers at once (p50, p99).
// Baseline, in the same run: the bench process POSTing the same bodies straight to the same
// receiver with the same concurrency (the ceiling of loopback HTTP here).
import { Agent, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import type { Scenario, ScenarioResult } from "../lib/report.ts";
import { benchAccount, peakRssMb, startBenchServer } from "../lib/server-process.ts";
import { round } from "../lib/stats.ts";

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** A receiver that answers 200 at once and notes when each message id arrived. */
async function receiver() {
  const arrivals = new Map<string, number>();
  let count = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const at = performance.now();
      count++;
      const body = Buffer.concat(chunks).toString();
      const id = /"value":\{"id":"([0-9a-f]{32})"/.exec(body)?.[1];
      if (id && !arrivals.has(id)) arrivals.set(id, at);
      response.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    arrivals,
    count: () => count,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function sandbox(base: string, admin: string, path: string, body: unknown) {
  const response = await fetch(`${base}/sandbox/v1${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

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

export const webhookDelivery: Scenario = {
  name: "webhook-delivery",
  description:
    "Messages sent through the API with webhook delivery on: rate and send-to-arrival latency",
  async run({ smoke }): Promise<ScenarioResult> {
    const [streams, seconds] = smoke ? [4, 1] : [50, 10];
    const hook = await receiver();
    const server = await startBenchServer(["--no-webhook-probe", "--rate-limit", "1000000000"]);
    try {
      const seller = await benchAccount(server, "Seller");
      const headers = {
        authorization: `Bearer ${seller.token}`,
        "content-type": "application/json",
      };
      const subscribed = await fetch(`${server.url}/messenger/v3/webhook`, {
        method: "POST",
        headers,
        body: JSON.stringify({ url: hook.url }),
      });
      if (subscribed.status !== 200) throw new Error(`subscribe answered ${subscribed.status}`);
      const { item_id } = (await sandbox(
        server.url,
        server.adminToken,
        `/accounts/${seller.user_id}/items`,
        { title: "Bench" },
      )) as { item_id: number };
      const chats: string[] = [];
      for (let i = 0; i < streams; i++) {
        const buyer = (await sandbox(server.url, server.adminToken, "/accounts", {
          name: `Buyer ${i}`,
        })) as { user_id: number };
        chats.push(
          (
            (await sandbox(server.url, server.adminToken, "/chats", {
              type: "u2i",
              item_id,
              user_id: buyer.user_id,
            })) as { chat_id: string }
          ).chat_id,
        );
      }
      const sentAt = new Map<string, number>();
      const failures: string[] = [];
      const deadline = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        chats.map(async (chatId) => {
          let n = 0;
          while (performance.now() < deadline) {
            const response = await fetch(
              `${server.url}/messenger/v1/accounts/${seller.user_id}/chats/${chatId}/messages`,
              {
                method: "POST",
                headers,
                body: JSON.stringify({ message: { text: `bench ${n++}` }, type: "text" }),
              },
            );
            const answer = (await response.json()) as { id: string };
            if (response.status === 200) sentAt.set(answer.id, performance.now());
            else failures.push(`${response.status} ${JSON.stringify(answer)}`);
          }
        }),
      );
      const sendSeconds = (performance.now() - started) / 1000;
      const drainDeadline = performance.now() + 60_000;
      while (hook.arrivals.size < sentAt.size && performance.now() < drainDeadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const allArrived = performance.now();
      const latencies = [...sentAt].flatMap(([id, at]) => {
        const arrived = hook.arrivals.get(id);
        return arrived === undefined ? [] : [arrived - at];
      });
      const unexpected = [...hook.arrivals.keys()].filter((id) => !sentAt.has(id));
      const delivered = hook.arrivals.size;
      // Latency at a steady, sustainable load: one message every 10 ms, round the chats.
      const pacedSentAt = new Map<string, number>();
      const pacedCount = smoke ? 20 : 500;
      for (let i = 0; i < pacedCount; i++) {
        const tick = performance.now();
        const response = await fetch(
          `${server.url}/messenger/v1/accounts/${seller.user_id}/chats/${chats[i % chats.length]}/messages`,
          {
            method: "POST",
            headers,
            body: JSON.stringify({ message: { text: `paced ${i}` }, type: "text" }),
          },
        );
        const answer = (await response.json()) as { id: string };
        if (response.status === 200) pacedSentAt.set(answer.id, performance.now());
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, 10 - (performance.now() - tick))),
        );
      }
      const pacedDeadline = performance.now() + 30_000;
      while (
        [...pacedSentAt.keys()].some((id) => !hook.arrivals.has(id)) &&
        performance.now() < pacedDeadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const pacedLatencies = [...pacedSentAt].flatMap(([id, at]) => {
        const arrived = hook.arrivals.get(id);
        return arrived === undefined ? [] : [arrived - at];
      });
      const peak = peakRssMb(server.pid);
      const sendRate = sentAt.size / sendSeconds;
      const deliveryRate = hook.arrivals.size / ((allArrived - started) / 1000);
      const ceiling = await baseline(hook.url, streams, smoke ? 1 : 5);
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);
      return {
        scenario: this.name,
        description: this.description,
        figures: [
          {
            name: "messages sent",
            value: sentAt.size,
            unit: `in ${round(sendSeconds, 1)} s, ${streams} chats in parallel`,
          },
          { name: "sends per second", value: Math.round(sendRate), unit: "/s" },
          {
            name: "deliveries per second",
            value: Math.round(deliveryRate),
            unit: "/s",
            goal: { text: "≥ 2000/s", met: deliveryRate >= 2000 },
          },
          { name: "delivered", value: delivered, unit: `of ${sentAt.size}` },
          { name: "send 200 → arrival at full load, p50", value: round(p50, 1), unit: "ms" },
          { name: "send 200 → arrival at full load, p99", value: round(p99, 1), unit: "ms" },
          {
            name: "send 200 → arrival at 100 msg/s, p50",
            value: round(percentile(pacedLatencies, 50), 1),
            unit: "ms",
          },
          {
            name: "send 200 → arrival at 100 msg/s, p99",
            value: round(percentile(pacedLatencies, 99), 1),
            unit: "ms",
            goal: { text: "< 50 ms", met: percentile(pacedLatencies, 99) < 50 },
          },
          { name: "baseline: direct POSTs per second", value: Math.round(ceiling), unit: "/s" },
          { name: "deliveries / baseline", value: round(deliveryRate / ceiling), unit: "×" },
          { name: "server RSS, peak", value: Math.round(peak), unit: "MB" },
        ],
        notes: [
          "receiver and senders run in the bench process, Beseda in its own; SQLite synchronous=normal",
          ...(failures.length > 0 ? [`${failures.length} sends failed, e.g. ${failures[0]}`] : []),
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
