// Several nodes on one PostgreSQL, as a team runs them behind a load balancer: three `beseda
// serve` processes on one schema, and the test's own round-robin in front of them. Messages are
// sent through all of them while one is killed with SIGKILL; then no acknowledged message is
// lost, every one reaches the seller's webhook at least once and in order per chat (duplicates
// are counted and reported), the rate limit counts requests across nodes, and the sandbox clock
// and the fault rules are the same on every node within a second. Always PostgreSQL, whatever
// the project. The nodes share what they generate: the admin token, the key of signed links.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { NODE_ID_FILE } from "../src/server.ts";
import { type ApiResponse, type Credentials, TestApi } from "./helpers/api.ts";
import { type Received, type Receiver, startReceiver } from "./helpers/receiver.ts";
import { bannerValue, type ServerProcess, startServerProcess } from "./helpers/server-process.ts";
import { tempDataDir } from "./helpers/temp-dir.ts";
import { dropPostgresSchema, postgresSchemaUrl, testSchemaOf } from "./helpers/test-database.ts";

const NODES = 3;
const CHATS = 6;
const MESSAGES_PER_CHAT = 25;
/** Sends acknowledged before the second node is killed. */
const KILL_AFTER = 50;
const RATE_LIMIT = 30;
const LEASE_SECONDS = 3;

interface Node {
  dataDir: string;
  process: ServerProcess;
  api: TestApi;
  alive: boolean;
}

let schema: string;
let adminToken: string;
let databaseUrl: string;
let nodes: Node[];
let receiver: Receiver;
let seller: Credentials;
let next = 0;

/** The next live node, round-robin, as a load balancer picks them. */
function pick(): Node {
  for (let tries = 0; tries < nodes.length; tries++) {
    const node = nodes[next++ % nodes.length] as Node;
    if (node.alive) return node;
  }
  throw new Error("no node left");
}

/**
 * A request through the balancer: a node that cannot be reached (killed) is passed over, as a
 * balancer's health check would; its answer, whatever it is, is returned.
 */
async function balanced<T>(
  request: (api: TestApi) => Promise<ApiResponse<T>>,
): Promise<ApiResponse<T>> {
  for (let tries = 0; tries < 10; tries++) {
    const node = pick();
    try {
      return await request(node.api);
    } catch (error) {
      // A request on its way when the node was killed: not answered, so sent again elsewhere.
      const killed = !node.alive || node.process.child.signalCode !== null;
      if (!killed && node.process.child.exitCode === null) throw error;
      node.alive = false;
    }
  }
  throw new Error("no node answered");
}

beforeAll(async () => {
  const base = tempDataDir();
  schema = testSchemaOf(base);
  rmSync(base, { recursive: true, force: true });
  databaseUrl = await postgresSchemaUrl(schema);
  const env = {
    BESEDA_DATABASE_URL: databaseUrl,
    BESEDA_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    BESEDA_WEBHOOK_LEASE: `${LEASE_SECONDS}s`,
  };
  // Started together, as a deployment would: the migrations run once, under Kysely's lock, and
  // the admin token one of them generates is every node's (kept in the database).
  const started = await Promise.all(
    Array.from({ length: NODES }, async () => {
      const dataDir = tempDataDir();
      return { dataDir, process: await startServerProcess(dataDir, ["--no-demo"], env) };
    }),
  );
  const tokens = started.map(({ process }) => bannerValue(process.stdout(), "sandbox admin token"));
  expect(new Set(tokens).size).toBe(1);
  adminToken = tokens[0] as string;
  nodes = started.map(({ dataDir, process }) => ({
    dataDir,
    process,
    api: new TestApi(process.url, tokens[0] as string),
    alive: true,
  }));
  // A receiver that takes its time: streams back up, so that the killed node dies holding some.
  receiver = await startReceiver({ status: 200, delayMs: 100 });
  const first = (nodes[0] as Node).api;
  seller = await first.createAccount("Продавец кластера");
  const token = await first.token(seller);
  const subscribed = await (nodes[1] as Node).api.call("postWebhookV3", {
    token,
    params: {},
    json: { url: receiver.url },
  });
  expect(subscribed.status, subscribed.text).toBe(200);
}, 60_000);

afterAll(async () => {
  for (const node of nodes ?? []) {
    node.process.child.kill("SIGKILL");
    await node.process.exited;
    rmSync(node.dataDir, { recursive: true, force: true });
  }
  await receiver?.close();
  if (schema) await dropPostgresSchema(schema);
});

/** A webhook of a message (not the subscription's probe, `POST {}`). */
function isMessageWebhook(r: Received): boolean {
  return r.body.includes('"payload"');
}

/** Deliveries a node held (leased) and had not finished: what another must take over. */
async function unfinishedLeasedBy(node: Node): Promise<number> {
  const nodeId = readFileSync(join(node.dataDir, NODE_ID_FILE), "utf8").trim();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "select count(*) as n from webhook_delivery where leased_by = $1 and status = 'pending'",
      [nodeId],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

interface WebhookMessage {
  id: string;
  chat_id: string;
}

test("kill -9 of a node under load: nothing acknowledged is lost, every webhook arrives, in order per chat", async () => {
  const first = (nodes[0] as Node).api;
  const chats: string[] = [];
  for (let i = 0; i < CHATS; i++) {
    const buyer = await first.createAccount(`Покупатель ${i}`);
    const { chat_id } = await first.openChat({
      type: "u2u",
      user_ids: [buyer.user_id, seller.user_id],
    });
    chats.push(chat_id);
    // The buyer, for writing below.
    buyers.set(chat_id, buyer.user_id);
  }
  /** Per chat: the ids of the messages acknowledged, in the order they were. */
  const acknowledged = new Map<string, string[]>(chats.map((chat) => [chat, []]));
  let acks = 0;
  let refusedWhileDown = 0;
  let heldByVictim = -1;
  const victim = nodes[1] as Node;
  // One writer per chat, so that a chat's acknowledgements come in the order of its events.
  await Promise.all(
    chats.map(async (chat) => {
      for (let n = 0; n < MESSAGES_PER_CHAT; n++) {
        const response = await balanced((api) =>
          api.sandbox<{ id: string }>("POST", `/chats/${encodeURIComponent(chat)}/messages`, {
            author_id: buyers.get(chat),
            type: "text",
            content: { text: `${chat} №${n}` },
          }),
        );
        if (response.status !== 200 && response.status !== 201) {
          // A node dying under a request: not acknowledged, so the client sends it again.
          refusedWhileDown++;
          n--;
          continue;
        }
        acknowledged.get(chat)?.push(response.body.id);
        if (++acks === KILL_AFTER) {
          // Killed while it holds deliveries (it holds some most of the time: the receiver is
          // slow), so that the others must take them over.
          for (let look = 0; look < 250 && (await unfinishedLeasedBy(victim)) === 0; look++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          // Requests already on their way to it die with it; no new ones are sent there.
          victim.alive = false;
          victim.process.child.kill("SIGKILL");
          await victim.process.exited;
          heldByVictim = await unfinishedLeasedBy(victim);
        }
      }
    }),
  );
  expect(victim.process.child.signalCode).toBe("SIGKILL");

  // It died holding deliveries: they are taken over by the others once their leases run out.
  expect(heldByVictim).toBeGreaterThan(0);
  const total = CHATS * MESSAGES_PER_CHAT;
  // The victim's deliveries are taken over once their leases run out.
  await receiver.waitFor(total, {
    timeoutMs: 30_000 + LEASE_SECONDS * 1000,
    filter: isMessageWebhook,
  });
  // Anything still on its way (a duplicate) lands before the counts.
  await new Promise((resolve) => setTimeout(resolve, 1500));

  const arrivals = receiver.received
    .filter(isMessageWebhook)
    .map((r) => (JSON.parse(r.body) as { payload: { value: WebhookMessage } }).payload.value);
  const duplicates = arrivals.length - new Set(arrivals.map((m) => m.id)).size;
  console.info(
    `cluster: ${total} messages acknowledged through ${NODES} nodes (one killed after ${KILL_AFTER}), ${arrivals.length} webhooks, ${duplicates} duplicates, ${heldByVictim} deliveries held by the killed node and taken over, ${refusedWhileDown} sends answered other than 200 while the node died`,
  );
  for (const chat of chats) {
    const sent = acknowledged.get(chat) ?? [];
    expect(sent).toHaveLength(MESSAGES_PER_CHAT);
    // Nothing acknowledged is lost: the store has every message, through any node.
    const history = await balanced((api) =>
      api.sandbox<{ messages: { id: string }[] }>(
        "GET",
        `/chats/${encodeURIComponent(chat)}/messages?limit=100`,
      ),
    );
    expect(history.status).toBe(200);
    const stored = new Set(history.body.messages.map((m) => m.id));
    expect(sent.filter((id) => !stored.has(id))).toEqual([]);
    // Every one arrived, first arrivals in the order they were sent; a duplicate only repeats
    // what already came.
    const firstArrivals: string[] = [];
    for (const message of arrivals.filter((m) => m.chat_id === chat)) {
      if (!firstArrivals.includes(message.id)) firstArrivals.push(message.id);
    }
    expect(firstArrivals.filter((id) => sent.includes(id))).toEqual(sent);
  }
}, 120_000);

const buyers = new Map<string, number>();

test("the rate limit counts an account's requests on every node", async () => {
  const reader = await pick().api.createAccount("Читатель");
  const token = await pick().api.token(reader);
  const statuses: number[] = [];
  for (let i = 0; i < RATE_LIMIT + 1; i++) {
    const response = await balanced((api) =>
      api.call("getChatsV2", { token, params: { user_id: reader.user_id } }),
    );
    statuses.push(response.status);
  }
  // The first RATE_LIMIT went through, spread over the nodes; the next one is refused by
  // whichever node it reached.
  expect(statuses.slice(0, RATE_LIMIT).every((s) => s === 200)).toBe(true);
  expect(statuses.at(-1)).toBe(429);
});

test("the sandbox clock and the fault rules are the same on every node within a second", async () => {
  const live = nodes.filter((node) => node.alive);
  expect(live.length).toBeGreaterThanOrEqual(2);
  const [writer, ...others] = live as [Node, ...Node[]];
  const advanced = await writer.api.sandbox<{ offset_seconds: number }>("POST", "/clock", {
    advance_seconds: 3600,
  });
  expect(advanced.status).toBe(200);
  const reader = await writer.api.createAccount("Читатель под отказом");
  const token = await writer.api.token(reader);
  const rule = await writer.api.sandbox<{ id: string }>("POST", "/faults", {
    operation: "getChatsV2",
    user_id: reader.user_id,
    status: 503,
  });
  expect(rule.status, rule.text).toBe(201);
  for (const node of others) {
    await expect
      .poll(
        async () =>
          (await node.api.sandbox<{ offset_seconds: number }>("GET", "/clock")).body.offset_seconds,
        { timeout: 1500, interval: 50 },
      )
      .toBe(advanced.body.offset_seconds);
    // The rule acts on a request that reaches this node, not only in the store's list.
    await expect
      .poll(
        async () =>
          (await node.api.call("getChatsV2", { token, params: { user_id: reader.user_id } }))
            .status,
        { timeout: 1500, interval: 50 },
      )
      .toBe(503);
  }
  expect((await writer.api.sandbox("DELETE", "/faults")).status).toBe(200);
});

test("a node's live stream shows what was written through another node", async () => {
  const [watched, writer] = nodes.filter((node) => node.alive) as [Node, Node];
  const abort = new AbortController();
  const response = await fetch(`${watched.process.url}/sandbox/v1/events`, {
    headers: { authorization: `Bearer ${adminToken}` },
    signal: abort.signal,
  });
  expect(response.status).toBe(200);
  let stream = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body ?? [])
        stream += decoder.decode(chunk, { stream: true });
    } catch {
      // Aborted below.
    }
  })();
  try {
    const buyer = await writer.api.createAccount("Покупатель в эфире");
    const { chat_id } = await writer.api.openChat({
      type: "u2u",
      user_ids: [buyer.user_id, seller.user_id],
    });
    // The watched node says it has a watcher at its next poll (within a second), the writer
    // reads that at its own: until then nothing is relayed, so write until something arrives.
    let written = 0;
    await expect
      .poll(
        async () => {
          await writer.api.text(chat_id, buyer.user_id, `пробное ${++written}`);
          return stream.includes("пробное");
        },
        { timeout: 6_000, interval: 250 },
      )
      .toBe(true);
    await writer.api.text(chat_id, buyer.user_id, "после подписки");
    await expect.poll(() => stream.includes("после подписки"), { timeout: 2_000 }).toBe(true);
  } finally {
    abort.abort();
    await reading;
  }
});

test("tokens expired through one node are refused by every node within a second", async () => {
  const [writer, ...others] = nodes.filter((node) => node.alive) as [Node, ...Node[]];
  const owner = await writer.api.createAccount("Владелец токена");
  const token = await writer.api.token(owner);
  const read = (node: Node) =>
    node.api.call("getChatsV2", { token, params: { user_id: owner.user_id } });
  // Each node keeps the token's grant in memory once it has seen it.
  for (const node of others) expect((await read(node)).status).toBe(200);
  const expired = await writer.api.sandbox("POST", `/accounts/${owner.user_id}/tokens/expire`);
  expect(expired.status).toBe(200);
  for (const node of others) {
    await expect
      .poll(async () => (await read(node)).status, { timeout: 1500, interval: 50 })
      .toBe(403);
  }
});

test("a rule limited in times fires that many times in all, whichever nodes the requests reach", async () => {
  const [writer] = nodes.filter((node) => node.alive) as [Node];
  const account = await writer.api.createAccount("Под ограниченным отказом");
  const token = await writer.api.token(account);
  const rule = await writer.api.sandbox<{ id: string }>("POST", "/faults", {
    operation: "getChatsV2",
    user_id: account.user_id,
    status: 503,
    times: 2,
  });
  expect(rule.status, rule.text).toBe(201);
  // Every node knows the rule before the requests start.
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const response = await balanced((api) =>
      api.call("getChatsV2", { token, params: { user_id: account.user_id } }),
    );
    statuses.push(response.status);
  }
  expect(statuses.filter((s) => s === 503)).toHaveLength(2);
  expect(statuses.filter((s) => s === 200)).toHaveLength(4);
  const listed = await writer.api.sandbox<{ faults: { id: string; fired: number }[] }>(
    "GET",
    "/faults",
  );
  expect(listed.body.faults.find((f) => f.id === rule.body.id)?.fired).toBe(2);
  expect((await writer.api.sandbox("DELETE", "/faults")).status).toBe(200);
});
