// Issue "Reads at the speed of their bytes", item 4: a CRM at work on the largest seeded world.
// The CRM serves the 100 sellers with the most items: it keeps polling each one's unread chats
// (getChatsV2 with unread_only), and for a few of the chats it finds, reads the newest messages
// and marks the chat read. Meanwhile those sellers' buyers write to them (a steady rate, through
// the sandbox) and every message goes out as a webhook to a local receiver. Reported: p50 and p99
// of each call, how many of each, and of the webhooks the time from the buyer's send to arrival,
// with Beseda's peak RSS. One Beseda node on SQLite, as integrators run it.
import { Agent, request as httpRequest } from "node:http";
import { seedSizes } from "../lib/api-workloads.ts";
import type { Figure, Scenario, ScenarioResult } from "../lib/report.ts";
import { seedDir } from "../lib/seed.ts";
import { peakRssMb, startBenchServer } from "../lib/server-process.ts";
import { round } from "../lib/stats.ts";
import { drained, latencies, percentile, receiver, sleep } from "../lib/webhook-load.ts";

/** CRM workers polling at once. */
const CRM_WORKERS = 20;
/** Of the unread chats a poll finds, how many the CRM opens (messages, then read). */
const OPENED_PER_POLL = 3;
/** Seconds of the same load before the measured ones (1 in a smoke run). */
const WARM_UP_SECONDS = 5;

interface Answer {
  status: number;
  text: string;
  ms: number;
}

/** HTTP on kept-alive connections, timing each call. */
function httpClient(base: string, connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const call = (
    method: "GET" | "POST",
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const request = httpRequest(
        `${base}${path}`,
        {
          method,
          agent,
          headers:
            body === undefined
              ? headers
              : { ...headers, "content-length": Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString(),
              ms: performance.now() - started,
            }),
          );
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  return { call, close: () => agent.destroy() };
}

/** Latencies of one kind of call, and how many failed. */
class CallStats {
  readonly ms: number[] = [];
  errors = 0;

  note(answer: Answer): void {
    this.ms.push(answer.ms);
    if (answer.status >= 300) this.errors++;
  }
}

interface Seller {
  user_id: number;
  /** The path of its webhook at the receiver. */
  hookPath: string;
  token: string;
  /** Chats with their buyer, for the buyers to write in. */
  chats: { chatId: string; buyerId: number }[];
}

export const crmMixed: Scenario = {
  name: "crm-mixed",
  description:
    "A CRM polling 100 sellers' unread chats (and opening some) while their buyers write and webhooks flow",
  async run({ smoke }): Promise<ScenarioResult> {
    const size = seedSizes({ smoke, large: false }).at(-1);
    if (!size) throw new Error("no seed size");
    const sellerCount = smoke ? 10 : 100;
    const seconds = smoke ? 2 : 20;
    const buyerRate = smoke ? 20 : 200;
    const figures: Figure[] = [];
    const notes: string[] = [];
    const seeded = await seedDir(size.chats, size.messages);
    // Each seller subscribes its own path: a buyer who sells too gets the message as well.
    const hook = await receiver({ byPath: true });
    const server = await startBenchServer(
      ["--rate-limit", "1000000000", "--no-webhook-probe"],
      seeded.dir,
    );
    const client = httpClient(server.url, CRM_WORKERS + 64);
    const admin = { authorization: `Bearer ${server.adminToken}` };
    try {
      const sellers = await prepareSellers(client, server.url, admin, hook.url, sellerCount);
      // The same load first for WARM_UP_SECONDS, not measured: a server just started on a
      // million messages answers its first second slowly (cold caches and pages, code not yet
      // optimised), which would otherwise be most of the sends' p99. Its slowest call is reported.
      const warmUpSeconds = smoke ? 1 : WARM_UP_SECONDS;
      const warmUp = await runLoad(client, sellers, admin, warmUpSeconds, buyerRate);
      const measured = await runLoad(client, sellers, admin, seconds, buyerRate);
      const { stats, sentAt, deadline } = measured;
      const lastArrival = await drained(sentAt, hook.arrivals, 30_000);
      const webhookMs = latencies(sentAt, hook.arrivals);
      const peakRss = peakRssMb(server.pid);

      const calls: [string, CallStats][] = [
        ["chats list (unread_only, limit 100)", stats.chats],
        ["messages (limit 20)", stats.messages],
        ["read chat", stats.read],
        ["buyer's send (sandbox)", stats.send],
      ];
      for (const [name, call] of calls) {
        figures.push({ name: `${name}: calls`, value: call.ms.length, unit: `in ${seconds} s` });
        figures.push({
          name: `${name}: p50`,
          value: round(percentile(call.ms, 50), 1),
          unit: "ms",
        });
        figures.push({
          name: `${name}: p99`,
          value: round(percentile(call.ms, 99), 1),
          unit: "ms",
        });
        figures.push({ name: `${name}: errors`, value: call.errors, unit: `of ${call.ms.length}` });
      }
      for (const [name, call] of [
        ["chats list", warmUp.stats.chats],
        ["buyer's send", warmUp.stats.send],
      ] as const) {
        figures.push({
          name: `warm-up (the first ${warmUpSeconds} s, not above): slowest ${name}`,
          value: round(Math.max(0, ...call.ms), 1),
          unit: "ms",
        });
      }
      figures.push({
        name: "webhooks: arrived",
        value: webhookMs.length,
        unit: `of ${sentAt.size}`,
      });
      figures.push({
        name: "webhooks: send → arrival p50",
        value: round(percentile(webhookMs, 50), 1),
        unit: "ms",
      });
      figures.push({
        name: "webhooks: send → arrival p99",
        value: round(percentile(webhookMs, 99), 1),
        unit: "ms",
      });
      figures.push({ name: "webhooks: duplicates", value: hook.duplicates(), unit: "" });
      figures.push({
        name: "Beseda peak RSS",
        value: Math.round(peakRss),
        unit: "MB",
        ...(size.label === "1M" ? { goal: { text: "< 250 MB", met: peakRss < 250 } } : {}),
      });
      notes.push(
        `crm-mixed @ ${size.label}: ${sellers.length} sellers with ${sellers.reduce((n, s) => n + s.chats.length, 0)} chats to write in; ${CRM_WORKERS} CRM workers polling unread chats and opening up to ${OPENED_PER_POLL} per poll, buyers writing ${buyerRate} messages/s, for ${seconds} s measured after ${warmUpSeconds} s of warm-up; the last webhook arrived ${round((lastArrival - deadline) / 1000, 1)} s after the load ended`,
      );
    } finally {
      client.close();
      await server.stop();
      await hook.close();
      seeded.remove();
    }
    return { scenario: this.name, description: this.description, figures, notes };
  },
};

/** The buyers and the CRM at once, for `seconds`: each call's latency, and when each send left. */
async function runLoad(
  client: ReturnType<typeof httpClient>,
  sellers: readonly Seller[],
  admin: Record<string, string>,
  seconds: number,
  buyerRate: number,
) {
  const stats = {
    chats: new CallStats(),
    messages: new CallStats(),
    read: new CallStats(),
    send: new CallStats(),
  };
  const sentAt = new Map<string, number>();
  const deadline = performance.now() + seconds * 1000;

  // Buyers: `buyerRate` messages a second in all, round the sellers' chats.
  const buyers = (async () => {
    const pairs = sellers.flatMap((seller) =>
      seller.chats.map((chat) => ({ ...chat, hookPath: seller.hookPath })),
    );
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let n = 0; performance.now() < deadline; n++) {
      const wait = started + (n / buyerRate) * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      const pair = pairs[n % pairs.length];
      if (!pair) break;
      const sent = client
        .call(
          "POST",
          `/sandbox/v1/chats/${pair.chatId}/messages`,
          { ...admin, "content-type": "application/json" },
          JSON.stringify({
            author_id: pair.buyerId,
            type: "text",
            content: { text: `Здравствуйте! Вопрос №${n} по объявлению` },
          }),
        )
        .then((answer) => {
          stats.send.note(answer);
          const id = /"id":"([0-9a-f]{32})"/.exec(answer.text)?.[1];
          if (answer.status === 201 && id) {
            sentAt.set(`${pair.hookPath} ${id}`, performance.now() - answer.ms);
          }
        })
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    }
    await Promise.all(inFlight);
  })();

  // The CRM: each worker takes the next seller, polls its unread chats, opens a few.
  let nextSeller = 0;
  const crm = Array.from({ length: CRM_WORKERS }, async () => {
    while (performance.now() < deadline) {
      const seller = sellers[nextSeller++ % sellers.length];
      if (!seller) break;
      const auth = { authorization: `Bearer ${seller.token}` };
      const base = `/messenger/v2/accounts/${seller.user_id}/chats`;
      const list = await client.call("GET", `${base}?unread_only=true&limit=100`, auth);
      stats.chats.note(list);
      if (list.status !== 200) continue;
      const unread = (JSON.parse(list.text) as { chats: { id: string }[] }).chats;
      for (const chat of unread.slice(0, OPENED_PER_POLL)) {
        stats.messages.note(
          await client.call(
            "GET",
            `/messenger/v3/accounts/${seller.user_id}/chats/${chat.id}/messages/?limit=20`,
            auth,
          ),
        );
        stats.read.note(
          await client.call(
            "POST",
            `/messenger/v1/accounts/${seller.user_id}/chats/${chat.id}/read`,
            auth,
          ),
        );
      }
    }
  });
  await Promise.all([buyers, ...crm]);
  return { stats, sentAt, deadline };
}

/**
 * The sellers with the most items: each with a token, subscribed to the receiver, and the first
 * 100 of its u2i chats with their buyers.
 */
async function prepareSellers(
  client: ReturnType<typeof httpClient>,
  base: string,
  admin: Record<string, string>,
  hookUrl: string,
  count: number,
): Promise<Seller[]> {
  const overview = await client.call("GET", "/sandbox/v1/accounts", admin);
  const { accounts } = JSON.parse(overview.text) as {
    accounts: {
      user_id: number;
      kind: string;
      client_id: string;
      client_secret: string;
      items: unknown[];
    }[];
  };
  const chosen = accounts
    .filter((account) => account.kind === "user" && account.items.length > 0)
    .sort((a, b) => b.items.length - a.items.length)
    .slice(0, count);
  const sellers: Seller[] = [];
  for (const account of chosen) {
    const issued = await client.call(
      "POST",
      "/token",
      { "content-type": "application/x-www-form-urlencoded" },
      new URLSearchParams({
        grant_type: "client_credentials",
        client_id: account.client_id,
        client_secret: account.client_secret,
      }).toString(),
    );
    const token = (JSON.parse(issued.text) as { access_token: string }).access_token;
    const auth = { authorization: `Bearer ${token}` };
    const hookPath = `/hook/${account.user_id}`;
    const subscribed = await client.call(
      "POST",
      "/messenger/v3/webhook",
      { ...auth, "content-type": "application/json" },
      JSON.stringify({ url: `${new URL(hookUrl).origin}${hookPath}` }),
    );
    if (subscribed.status !== 200)
      throw new Error(`${base}: subscribe answered ${subscribed.status}`);
    const list = await client.call(
      "GET",
      `/messenger/v2/accounts/${account.user_id}/chats?limit=100`,
      auth,
    );
    const chats = (JSON.parse(list.text) as { chats: { id: string; users: { id: number }[] }[] })
      .chats;
    sellers.push({
      user_id: account.user_id,
      hookPath,
      token,
      chats: chats.flatMap((chat) => {
        const buyer = chat.users.find((user) => user.id !== account.user_id);
        return buyer ? [{ chatId: chat.id, buyerId: buyer.id }] : [];
      }),
    });
  }
  return sellers;
}
