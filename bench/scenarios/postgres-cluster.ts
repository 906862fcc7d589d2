// Issue "PostgreSQL and several nodes", item Benchmark: the store on PostgreSQL with one Beseda
// node and with two on one database, next to SQLite, measured in one run.
//   - reads (chats list, messages, chat by id) and sends, as http-api makes them, at the same
//     seeded sizes: autocannon with 50 connections to one node; for two nodes, two autocannon
//     processes at once, one per node, 25 connections each (the same 50 in all), their
//     requests per second summed. Rounds alternate SQLite, one node and two.
//   - webhooks, as webhook-delivery measures them: 50 chats sending as fast as they are
//     answered, each send to the next node in turn (a load balancer's round-robin), then the
//     wait until every delivery has reached a local receiver; deliveries per second count it.
// Reported: requests/s, p50, p99 and errors of each setup; PostgreSQL one node ÷ SQLite, two
// nodes ÷ one; each server's peak RSS at each size; deliveries per second of each, and how busy
// the machine's cores were meanwhile.
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import pg from "pg";
import { seedSizes, summary, type Workload, workloads } from "../lib/api-workloads.ts";
import { type LoadRequest, type LoadResult, load } from "../lib/autocannon.ts";
import {
  BENCH_POSTGRES_URL,
  type BenchSchema,
  createBenchSchema,
  dropLeftoverBenchSchemas,
} from "../lib/postgres.ts";
import type { Figure, Scenario, ScenarioResult } from "../lib/report.ts";
import { type SeededDir, seedDir } from "../lib/seed.ts";
import { type BenchServer, peakRssMb, startBenchServer } from "../lib/server-process.ts";
import { median, round } from "../lib/stats.ts";
import {
  closedLoop,
  drained,
  jsonClient,
  latencies,
  percentile,
  type Receiver,
  receiver,
  type Send,
  webhookWorld,
} from "../lib/webhook-load.ts";

/** Nodes of one database share the admin token (the sandbox API of any node takes it). */
const ADMIN_TOKEN = "bench-postgres-cluster-admin";
/** No 429s: the scenario measures the store, not the limit (which is still counted). */
const UNLIMITED = ["--rate-limit", "1000000000"];
/** autocannon's connections in all, split evenly over the nodes. */
const CONNECTIONS = 50;
/** Chats sending at once in the webhook runs, as in webhook-delivery. */
const WEBHOOK_CHATS = 50;

const SETUPS = ["SQLite", "PostgreSQL, 1 node", "PostgreSQL, 2 nodes"] as const;
type Setup = (typeof SETUPS)[number];

/** The reads the issue names, and the send (http-api measures read chat and token). */
const MEASURED = ["chats list (limit 100)", "messages (limit 100)", "chat by id", "send text"];

/** CPU ticks of the whole machine, busy and in all, from /proc/stat; Linux only. */
function machineTicks(): { busy: number; total: number } {
  const fields = (/^cpu\s+(.*)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1] ?? "")
    .split(" ")
    .map(Number);
  const total = fields.slice(0, 8).reduce((sum, n) => sum + n, 0);
  // idle and iowait are the 4th and 5th fields.
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

/** The share of all cores that was busy since `before`, in %. */
function busySince(before: { busy: number; total: number }): number {
  const now = machineTicks();
  return (100 * (now.busy - before.busy)) / Math.max(1, now.total - before.total);
}

/** PostgreSQL's version and the settings that decide what a commit costs, for the notes. */
async function postgresSettings(): Promise<string> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
  await client.connect();
  try {
    const value = async (sql: string) =>
      String(Object.values((await client.query(sql)).rows[0] ?? {})[0]);
    const version = (await value("show server_version")).split(" ")[0];
    const settings = [];
    for (const name of ["synchronous_commit", "fsync", "shared_buffers"])
      settings.push(`${name}=${await value(`show ${name}`)}`);
    return `PostgreSQL ${version} on this machine (${settings.join(", ")})`;
  } finally {
    await client.end();
  }
}

/** The same request against another base URL. */
function retarget(request: LoadRequest, from: string, to: string): LoadRequest {
  return { ...request, url: request.url.replace(from, to) };
}

/**
 * One load run over `bases` at once, the connections split evenly: requests/s and errors summed,
 * p50 and p99 those of the slower node's load generator.
 */
async function spread(
  request: LoadRequest,
  from: string,
  bases: readonly string[],
  seconds: number,
): Promise<LoadResult> {
  const connections = Math.round(CONNECTIONS / bases.length);
  const results = await Promise.all(
    bases.map((base) => load(retarget(request, from, base), { connections, seconds })),
  );
  return {
    rps: results.reduce((sum, r) => sum + r.rps, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
  };
}

/** A token of the seeded hot seller, from `base`'s /token. */
async function sellerToken(base: string, seeded: SeededDir): Promise<string> {
  const response = await fetch(`${base}/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: seeded.manifest.seller.client_id,
      client_secret: seeded.manifest.seller.client_secret,
    }),
  });
  if (response.status !== 200) throw new Error(`/token answered ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Fails before measuring anything if `request` is not answered 200 (a wrong setup). */
async function answered(request: LoadRequest, what: string): Promise<void> {
  const init: RequestInit = { method: request.method ?? "GET" };
  if (request.headers) init.headers = request.headers;
  if (request.body !== undefined) init.body = request.body;
  const response = await fetch(request.url, init);
  if (response.status !== 200)
    throw new Error(
      `${what} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
    );
}

/** All of `started`, or, if one fails, none: those that did are undone before the error is thrown. */
async function allOrNone<T>(
  started: readonly Promise<T>[],
  undo: (done: T) => unknown,
): Promise<T[]> {
  const settled = await Promise.allSettled(started);
  const failed = settled.find((s) => s.status === "rejected");
  if (!failed) return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  for (const s of settled) if (s.status === "fulfilled") await undo(s.value);
  throw failed.reason;
}

/** Beseda nodes on `schema` starting, each on a data dir of its own (for `allOrNone`). */
function startNodes(schema: BenchSchema, count: number, extra: string[] = []) {
  return Array.from({ length: count }, () =>
    startBenchServer(
      ["--database-url", schema.url, ...UNLIMITED, ...extra],
      undefined,
      ADMIN_TOKEN,
    ),
  );
}

interface WebhookRun {
  sent: number;
  sendRate: number;
  deliveryRate: number;
  latencies: number[];
  lost: number;
  /** Arrivals of a message that had arrived before. */
  duplicates: number;
  busy: number;
  failures: string[];
}

/**
 * Warm-up, then every chat sending as fast as it is answered for `seconds`, each send to the
 * next of `bases` in turn; then the wait until each has arrived at `hook`.
 */
async function webhookRun(
  bases: readonly string[],
  world: { seller: { user_id: number }; headers: Record<string, string>; chats: string[] },
  hook: Receiver,
  warmSeconds: number,
  seconds: number,
): Promise<WebhookRun> {
  const clients = bases.map((base) => jsonClient(base, world.headers, world.chats.length));
  const failures: string[] = [];
  let turn = 0;
  const sender =
    (into: Map<string, number>): Send =>
    async (chatId, text) => {
      const client = clients[turn++ % clients.length] as (typeof clients)[number];
      const answer = await client.post(
        `/messenger/v1/accounts/${world.seller.user_id}/chats/${chatId}/messages`,
        { message: { text }, type: "text" },
      );
      if (answer.status === 200) into.set(answer.body.id as string, performance.now());
      else failures.push(`${answer.status} ${JSON.stringify(answer.body)}`);
    };
  try {
    const warm = new Map<string, number>();
    await closedLoop(world.chats, warmSeconds, sender(warm));
    await drained(warm, hook.arrivals, 30_000);

    const sent = new Map<string, number>();
    const duplicatesBefore = hook.duplicates();
    const ticks = machineTicks();
    const started = performance.now();
    await closedLoop(world.chats, seconds, sender(sent));
    const sendSeconds = (performance.now() - started) / 1000;
    const lastArrival = await drained(sent, hook.arrivals, 60_000);
    const busy = busySince(ticks);
    const arrived = latencies(sent, hook.arrivals);
    return {
      sent: sent.size,
      sendRate: sent.size / sendSeconds,
      deliveryRate: arrived.length / ((lastArrival - started) / 1000),
      latencies: arrived,
      lost: sent.size - arrived.length,
      duplicates: hook.duplicates() - duplicatesBefore,
      busy,
      failures,
    };
  } finally {
    for (const client of clients) client.close();
  }
}

export const postgresCluster: Scenario = {
  name: "postgres",
  description:
    "Reads, sends and webhook deliveries on PostgreSQL with one node and with two, next to SQLite",
  async run({ smoke, large }): Promise<ScenarioResult> {
    const sizes = seedSizes({ smoke, large });
    const rounds = smoke ? 1 : 3;
    const seconds = smoke ? 1 : 5;
    const [webhookRounds, warmSeconds, webhookSeconds] = smoke ? [1, 0, 1] : [2, 2, 10];
    const figures: Figure[] = [];
    const notes: string[] = [await postgresSettings()];
    await dropLeftoverBenchSchemas();
    const largest = sizes.at(-1)?.label;

    for (const size of sizes) {
      const schema = await createBenchSchema(`api_${size.label.toLowerCase()}`);
      const servers: BenchServer[] = [];
      const seeded: SeededDir[] = [];
      try {
        const [onSqlite, onPostgres] = (await allOrNone(
          [seedDir(size.chats, size.messages), seedDir(size.chats, size.messages, schema.url)],
          (dir) => dir.remove(),
        )) as [SeededDir, SeededDir];
        seeded.push(onSqlite, onPostgres);
        notes.push(
          `${size.label}: seeded ${size.messages} messages in ${size.chats} chats in ${onSqlite.manifest.seconds} s on SQLite, ${onPostgres.manifest.seconds} s on PostgreSQL (at once)`,
        );
        const [sqlite, first, second] = (await allOrNone(
          [startBenchServer(UNLIMITED, onSqlite.dir), ...startNodes(schema, 2)],
          (server) => server.stop(),
        )) as [BenchServer, BenchServer, BenchServer];
        servers.push(sqlite, first, second);
        const sqliteWork = workloads(
          sqlite.url,
          onSqlite.manifest,
          await sellerToken(sqlite.url, onSqlite),
        );
        // A token issued by one node is good on the other: they share the store.
        const postgresWork = workloads(
          first.url,
          onPostgres.manifest,
          await sellerToken(first.url, onPostgres),
        );
        for (const name of MEASURED) {
          const onOne = sqliteWork.find((w) => w.name === name) as Workload;
          const onTwo = postgresWork.find((w) => w.name === name) as Workload;
          if (!onOne.scaled && size.label !== largest) continue;
          await answered(onOne.request, `${name} on SQLite`);
          await answered(onTwo.request, `${name} on PostgreSQL`);
          await answered(retarget(onTwo.request, first.url, second.url), `${name} on node 2`);
          const measured = new Map<Setup, LoadResult[]>(SETUPS.map((s) => [s, []]));
          for (let round = 0; round < rounds; round++) {
            measured
              .get("SQLite")
              ?.push(await spread(onOne.request, sqlite.url, [sqlite.url], seconds));
            measured
              .get("PostgreSQL, 1 node")
              ?.push(await spread(onTwo.request, first.url, [first.url], seconds));
            measured
              .get("PostgreSQL, 2 nodes")
              ?.push(await spread(onTwo.request, first.url, [first.url, second.url], seconds));
          }
          const label = `${name} @ ${size.label}`;
          const rps = new Map<Setup, number>();
          for (const setup of SETUPS) {
            const runs = measured.get(setup) ?? [];
            const ours = summary(runs);
            rps.set(setup, ours.rps);
            const requests = runs.reduce((sum, r) => sum + r.requests, 0);
            figures.push(
              { name: `${label}, ${setup}: requests/s`, value: Math.round(ours.rps), unit: "/s" },
              { name: `${label}, ${setup}: p50`, value: ours.p50, unit: "ms" },
              { name: `${label}, ${setup}: p99`, value: ours.p99, unit: "ms" },
              { name: `${label}, ${setup}: errors`, value: ours.errors, unit: `of ${requests}` },
            );
          }
          const onPostgresRatio =
            (rps.get("PostgreSQL, 1 node") ?? 0) / (rps.get("SQLite") ?? Number.NaN);
          const twoNodesRatio =
            (rps.get("PostgreSQL, 2 nodes") ?? 0) / (rps.get("PostgreSQL, 1 node") ?? Number.NaN);
          figures.push(
            {
              name: `${label}: PostgreSQL 1 node ÷ SQLite`,
              value: round(onPostgresRatio),
              unit: "×",
              ...(onOne.read ? { goal: { text: "≥ 0.5×", met: onPostgresRatio >= 0.5 } } : {}),
            },
            {
              name: `${label}: PostgreSQL 2 nodes ÷ 1 node`,
              value: round(twoNodesRatio),
              unit: "×",
            },
          );
        }
        // Issue "Reads at the speed of their bytes": every server under 250 MB at 1 million
        // messages, PostgreSQL's nodes too (each server's peak over all of this size's loads).
        const servedBy: [string, BenchServer][] = [
          ["SQLite", sqlite],
          ["PostgreSQL, node 1", first],
          ["PostgreSQL, node 2", second],
        ];
        for (const [setup, server] of servedBy) {
          const peak = peakRssMb(server.pid);
          figures.push({
            name: `${size.label}, ${setup}: peak RSS`,
            value: Math.round(peak),
            unit: "MB",
            ...(size.label === "1M" ? { goal: { text: "< 250 MB", met: peak < 250 } } : {}),
          });
        }
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
        for (const dir of seeded) dir.remove();
        await schema.drop();
      }
    }

    // Webhooks: a fresh store each (no seeded world), as webhook-delivery has it.
    const hook = await receiver();
    const schema = await createBenchSchema("webhooks");
    const servers: BenchServer[] = [];
    try {
      const [sqlite, first] = (await allOrNone(
        [
          startBenchServer([...UNLIMITED, "--no-webhook-probe"]),
          ...startNodes(schema, 1, ["--no-webhook-probe"]),
        ],
        (server) => server.stop(),
      )) as [BenchServer, BenchServer];
      servers.push(sqlite, first);
      const [sqliteWorld, postgresWorld] = await Promise.all([
        webhookWorld(sqlite, hook.url, smoke ? 4 : WEBHOOK_CHATS),
        webhookWorld(first, hook.url, smoke ? 4 : WEBHOOK_CHATS),
      ]);
      const runs = new Map<Setup, WebhookRun[]>(SETUPS.map((s) => [s, []]));
      for (let round = 0; round < webhookRounds; round++) {
        runs
          .get("SQLite")
          ?.push(await webhookRun([sqlite.url], sqliteWorld, hook, warmSeconds, webhookSeconds));
        runs
          .get("PostgreSQL, 1 node")
          ?.push(await webhookRun([first.url], postgresWorld, hook, warmSeconds, webhookSeconds));
        // The second node lives for its runs alone: the one-node runs have one node.
        const [second] = (await allOrNone(startNodes(schema, 1, ["--no-webhook-probe"]), (node) =>
          node.stop(),
        )) as [BenchServer];
        try {
          runs
            .get("PostgreSQL, 2 nodes")
            ?.push(
              await webhookRun(
                [first.url, second.url],
                postgresWorld,
                hook,
                warmSeconds,
                webhookSeconds,
              ),
            );
        } finally {
          await second.stop();
        }
      }
      const rate = new Map<Setup, number>();
      for (const setup of SETUPS) {
        const done = runs.get(setup) ?? [];
        const deliveries = median(done.map((r) => r.deliveryRate));
        rate.set(setup, deliveries);
        const all = done.flatMap((r) => r.latencies);
        const sent = done.reduce((sum, r) => sum + r.sent, 0);
        const lost = done.reduce((sum, r) => sum + r.lost, 0);
        figures.push(
          {
            name: `webhooks, ${setup}: sends per second`,
            value: Math.round(median(done.map((r) => r.sendRate))),
            unit: "/s",
          },
          {
            name: `webhooks, ${setup}: deliveries per second`,
            value: Math.round(deliveries),
            unit: "/s",
          },
          {
            name: `webhooks, ${setup}: send 200 → arrival, p50`,
            value: round(percentile(all, 50), 1),
            unit: "ms",
          },
          {
            name: `webhooks, ${setup}: send 200 → arrival, p99`,
            value: round(percentile(all, 99), 1),
            unit: "ms",
          },
          {
            name: `webhooks, ${setup}: delivered`,
            value: sent - lost,
            unit: `of ${sent} (${done.reduce((sum, r) => sum + r.duplicates, 0)} duplicates)`,
          },
          {
            name: `webhooks, ${setup}: machine's cores busy`,
            value: Math.round(median(done.map((r) => r.busy))),
            unit: `% of ${cpus().length}`,
          },
        );
        const failures = done.flatMap((r) => r.failures);
        if (failures.length > 0)
          notes.push(`webhooks, ${setup}: ${failures.length} sends failed, e.g. ${failures[0]}`);
      }
      const twoNodes =
        (rate.get("PostgreSQL, 2 nodes") ?? 0) / (rate.get("PostgreSQL, 1 node") ?? Number.NaN);
      figures.push(
        {
          name: "webhooks: PostgreSQL 1 node ÷ SQLite",
          value: round((rate.get("PostgreSQL, 1 node") ?? 0) / (rate.get("SQLite") ?? Number.NaN)),
          unit: "×",
        },
        {
          name: "webhooks: PostgreSQL 2 nodes ÷ 1 node",
          value: round(twoNodes),
          unit: "×",
          goal: { text: "≥ 1.6×", met: twoNodes >= 1.6 },
        },
      );
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await hook.close();
      await schema.drop();
    }

    notes.push(
      `${cpus().length} cores in all, shared by Beseda's nodes, PostgreSQL and the load generators (autocannon's processes; for webhooks the bench process's senders and receiver): two nodes cannot have twice the CPU of one here, so two nodes ÷ one node measures how the work splits on these cores, not how it scales on machines of their own; the webhook runs' "cores busy" says how near the machine was to full`,
      `reads and sends: ${rounds} rounds of ${seconds} s per figure, alternating SQLite, one node and two; medians reported. Two nodes: two autocannon processes at once, ${CONNECTIONS / 2} connections each (${CONNECTIONS} in all, as one node gets); requests/s and errors summed, p50 and p99 the slower node's. The one-node runs have the second node running idle (it polls the database each second)`,
      "every request is the hot seller's, so on PostgreSQL each one also counts the rate limit in one row of the database (limit set out of reach), from whichever node; sends all go into the busiest chat (as in http-api), so on PostgreSQL they queue for that chat's row lock",
      `webhooks: ${smoke ? 4 : WEBHOOK_CHATS} chats sending at once, each send to the next node in turn; ${webhookRounds} rounds of ${webhookSeconds} s after ${warmSeconds} s of warm-up, alternating SQLite, one node and two (the second node started for its run and stopped after); medians of the rates, p50 and p99 of all runs' latencies; a fresh store each, no seeded world`,
    );
    return { scenario: this.name, description: this.description, figures, notes };
  },
};
