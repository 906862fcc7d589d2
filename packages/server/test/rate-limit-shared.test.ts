// Rate limits counted across nodes: two servers on one PostgreSQL schema (two in-process nodes,
// each with its own data dir) count an account's requests against one limit, whichever node they
// go through; the sandbox's overview says the same use on both. Always PostgreSQL, whatever the
// project (vitest.config.ts keeps it out of the postgres project's second run).
// Far from its limit a node counts in memory and writes every 200 ms; the limiters built here
// directly show that, with a clock that stands still.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Clock } from "../src/clock.ts";
import type { RateLimitTake } from "../src/domain/rate-limits/rate-limiter.ts";
import { StoreRateLimiter } from "../src/domain/rate-limits/store-rate-limiter.ts";
import { type ApiResponse, TestApi } from "./helpers/api.ts";
import { dropPostgresSchema, postgresSchemaUrl, testSchemaOf } from "./helpers/test-database.ts";
import { startTestServer, type TestServer, tempDataDir } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

const LIMIT = 6;
const SCHEMA = testSchemaOf("rate-limit-shared.test.ts");

interface Node {
  server: TestServer;
  api: TestApi;
}

let a: Node;
let b: Node;
let w: World;

async function startNode(databaseUrl: string): Promise<Node> {
  const server = await startTestServer({
    dataDir: tempDataDir(),
    databaseUrl,
    rateLimitPerMinute: LIMIT,
  });
  return { server, api: new TestApi(server.url, server.adminToken) };
}

beforeAll(async () => {
  await dropPostgresSchema(SCHEMA);
  const databaseUrl = await postgresSchemaUrl(SCHEMA);
  a = await startNode(databaseUrl);
  b = await startNode(databaseUrl);
  w = await makeWorld(a.api);
});

afterAll(async () => {
  await a?.server.stop();
  await b?.server.stop();
  await dropPostgresSchema(SCHEMA);
});

/**
 * Both nodes' sandbox clocks to the first second of the next minute, so that the test runs in one
 * window. Moved through node A's API (which keeps the offset in the store), and node B's clock set
 * to the same offset in process at once, rather than left to follow within its second.
 */
async function startOfNextMinute(): Promise<void> {
  const intoMinuteMs = a.server.clock.nowMs() % 60_000;
  await a.api.advanceClock(Math.ceil((60_000 - intoMinuteMs) / 1000));
  b.server.clock.setOffsetMs(a.server.clock.offsetMs);
}

function chats(node: Node, token: string, userId: number): Promise<ApiResponse> {
  return node.api.call("getChatsV2", { token, params: { user_id: userId } });
}

async function usageOn(node: Node, userId: number): Promise<{ limit: number; used: number }> {
  const { body } = await node.api.sandbox<{
    accounts: { user_id: number; rate_limit: { limit: number; used: number; resets: number } }[];
  }>("GET", "/accounts");
  const account = body.accounts.find((candidate) => candidate.user_id === userId);
  if (!account) throw new Error(`no account ${userId} on ${node.server.url}`);
  return account.rate_limit;
}

test("an account's requests through either node count against one limit", async () => {
  await startOfNextMinute();
  for (let n = 0; n < LIMIT; n++) {
    // Alternating: half through each node.
    const node = n % 2 === 0 ? a : b;
    const response = await chats(node, w.sellerToken, w.seller.user_id);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get("x-ratelimit-limit")).toBe(String(LIMIT));
    expect(response.headers.get("x-ratelimit-remaining")).toBe(String(LIMIT - 1 - n));
  }
  // The next one is refused, through either node.
  const refusedByA = await chats(a, w.sellerToken, w.seller.user_id);
  expect(refusedByA.status, refusedByA.text).toBe(429);
  expect(refusedByA.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(await usageOn(a, w.seller.user_id)).toMatchObject({ limit: LIMIT, used: LIMIT + 1 });
  expect(await usageOn(b, w.seller.user_id)).toMatchObject({ limit: LIMIT, used: LIMIT + 1 });

  const refusedByB = await chats(b, w.sellerToken, w.seller.user_id);
  expect(refusedByB.status, refusedByB.text).toBe(429);
  expect(await usageOn(a, w.seller.user_id)).toMatchObject({ used: LIMIT + 2 });
  expect(await usageOn(b, w.seller.user_id)).toMatchObject({ used: LIMIT + 2 });

  // Another account has its own budget, on both nodes.
  const buyer = await chats(b, w.buyerToken, w.buyer.user_id);
  expect(buyer.status).toBe(200);
  expect(buyer.headers.get("x-ratelimit-remaining")).toBe(String(LIMIT - 1));
});

test("requests sent to both nodes at once are each counted once", async () => {
  await startOfNextMinute();
  const answers = await Promise.all(
    Array.from({ length: LIMIT + 4 }, (_, n) =>
      chats(n % 2 === 0 ? a : b, w.strangerToken, w.stranger.user_id),
    ),
  );
  const statuses = answers.map((response) => response.status).sort();
  expect(statuses).toEqual([...Array(LIMIT).fill(200), ...Array(4).fill(429)]);
  // Every count from LIMIT - 1 down to 0 was handed out once, then 0 for the refused ones.
  const remaining = answers
    .map((response) => Number(response.headers.get("x-ratelimit-remaining")))
    .sort((x, y) => y - x);
  expect(remaining).toEqual([
    ...Array.from({ length: LIMIT }, (_, n) => LIMIT - 1 - n),
    ...Array(4).fill(0),
  ]);
  expect(await usageOn(b, w.stranger.user_id)).toMatchObject({ used: LIMIT + 4 });
});

test("the calls around the messenger count across nodes too, each against its own limit", async () => {
  await startOfNextMinute();
  const self = (node: Node) =>
    node.api.request("GET", "/core/v1/accounts/self", { token: w.buyerToken });
  for (let n = 0; n < LIMIT; n++) {
    const response = await self(n % 2 === 0 ? b : a);
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get("x-ratelimit-remaining")).toBe(String(LIMIT - 1 - n));
  }
  expect((await self(a)).status).toBe(429);
  expect((await self(b)).status).toBe(429);
  // The messenger's budget is another one: untouched by these.
  expect(await usageOn(a, w.buyer.user_id)).toMatchObject({ used: 0 });
  expect((await chats(a, w.buyerToken, w.buyer.user_id)).status).toBe(200);
});

/** A clock standing still in the middle of a minute, for limiters built here. */
function stillClock(minute: number): Clock {
  const nowMs = minute * 60_000 + 30_000;
  return { nowMs: () => nowMs, now: () => Math.floor(nowMs / 1000), realNowMs: () => nowMs };
}

async function storedCount(limiter: string, key: number): Promise<number | undefined> {
  const row = await a.server.ctx.store.db
    .selectFrom("rate_limit")
    .select("count")
    .where("limiter", "=", limiter)
    .where("key", "=", key)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.count);
}

test("far from its limit a node counts in memory and writes its counts together; near it, each request is decided on the store's count", async () => {
  // Limit 150: within 100 of it every request is written at once.
  const errors: unknown[] = [];
  const limiters = [0, 1].map(
    () =>
      new StoreRateLimiter(a.server.ctx.store, "batched-test", 150, stillClock(1000), (error) =>
        errors.push(error),
      ),
  );
  const [one, two] = limiters as [StoreRateLimiter, StoreRateLimiter];
  const key = 42;
  // 30 requests on each node, far from the limit: answered without writing anything yet.
  const far = await Promise.all(
    Array.from({ length: 60 }, (_, n) => (n % 2 === 0 ? one : two).take(key)),
  );
  expect(far.every((take) => take.allowed)).toBe(true);
  expect(far.map((take) => take.remaining).slice(0, 2)).toEqual([149, 149]);
  expect(await storedCount("batched-test", key)).toBeUndefined();
  // Written together, each node's in one statement; the overview reads every node's.
  await one.flush();
  expect(await storedCount("batched-test", key)).toBe(30);
  expect(await two.usage(key)).toMatchObject({ limit: 150, used: 60 });

  // Near the limit, each take writes, so the 151st is refused through either node.
  const near: RateLimitTake[] = [];
  for (let n = 60; n < 152; n++) near.push(await (n % 2 === 0 ? one : two).take(key));
  expect(near.slice(0, 90).every((take) => take.allowed)).toBe(true);
  expect(near.at(89)?.remaining).toBe(0);
  expect(near.slice(90).map((take) => take.allowed)).toEqual([false, false]);
  expect(await storedCount("batched-test", key)).toBe(152);
  expect(errors).toEqual([]);
});

test("counts waiting in memory are written within a fraction of a second, and when the server stops", async () => {
  const limiter = new StoreRateLimiter(
    a.server.ctx.store,
    "flushed-test",
    1_000_000,
    stillClock(1000),
    (error) => {
      throw error;
    },
  );
  for (let n = 0; n < 5; n++) await limiter.take(7);
  await expect.poll(() => storedCount("flushed-test", 7), { timeout: 2000 }).toBe(5);

  // A node that stops writes what it counted (the rate-limit plugin flushes on close).
  await startOfNextMinute();
  const databaseUrl = await postgresSchemaUrl(SCHEMA);
  const c = await startTestServer({
    dataDir: tempDataDir(),
    databaseUrl,
    rateLimitPerMinute: 1000,
  });
  const api = new TestApi(c.url, c.adminToken);
  try {
    c.clock.setOffsetMs(a.server.clock.offsetMs);
    for (let n = 0; n < 3; n++) {
      expect((await chats({ server: c, api }, w.buyerToken, w.buyer.user_id)).status).toBe(200);
    }
  } finally {
    await c.stop();
  }
  expect(await usageOn(a, w.buyer.user_id)).toMatchObject({ used: 3 });
});

test("an account's first request of a new minute deletes its counts of other minutes", async () => {
  await startOfNextMinute();
  const rows = async () =>
    (
      await a.server.ctx.store.db
        .selectFrom("rate_limit")
        .select(["minute", "count"])
        .where("limiter", "=", "messenger")
        .where("key", "=", w.seller.user_id)
        .execute()
    ).map((row) => ({ minute: Number(row.minute), count: Number(row.count) }));
  expect((await chats(a, w.sellerToken, w.seller.user_id)).status).toBe(200);
  expect((await chats(b, w.sellerToken, w.seller.user_id)).status).toBe(200);
  const minute = Math.floor(a.server.clock.nowMs() / 60_000);
  expect(await rows()).toEqual([{ minute, count: 2 }]);
});
