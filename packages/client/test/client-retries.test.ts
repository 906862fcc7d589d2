// Retries against a real Beseda and its fault rules: a 429 storm ridden out within the client's
// budget, 5xx and dropped connections on reads retried, and a limit to how often.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import { AvitoRateLimitError, AvitoServerError, type RetryEvent } from "../src/index.ts";
import { addFault, clientFor, faultFired, recordingFetch } from "./client-helpers.ts";

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
});
afterEach(async () => {
  await api.sandbox("DELETE", "/faults");
});
afterAll(() => server.stop());

describe("429 storm", () => {
  it("is ridden out: every call succeeds, each wait honours Retry-After, the budget holds", async () => {
    const fault = await addFault(api, {
      operation: "getChatsV2",
      user_id: w.seller.user_id,
      status: 429,
      retry_after: 1,
      times: 5,
    });
    const { fetch, sent } = recordingFetch();
    const retries: RetryEvent[] = [];
    const budget = { requestsPerMinute: 120, burst: 3 };
    const client = clientFor(server.url, w.seller, {
      fetch,
      budget,
      onRetry: (event) => retries.push(event),
    });
    await client.getChatByIdV2(w.chatId); // the token and a first request, before the storm

    const pages = await Promise.all(Array.from({ length: 6 }, () => client.getChatsV2()));

    expect(pages.every((page) => page.chats?.some((chat) => chat.id === w.chatId))).toBe(true);
    expect(await faultFired(api, fault)).toBe(5);
    expect(retries).toHaveLength(5);
    for (const event of retries) {
      expect(event.reason).toBe("rate-limit");
      expect(event.delayMs).toBeGreaterThanOrEqual(1000);
    }
    const api429 = sent.filter((r) => r.status === 429);
    expect(api429).toHaveLength(5);
    // Retry-After holds the whole client, not only the call that got it: nothing went out
    // within a second of a 429's answer.
    for (const refused of api429) {
      const during = sent.filter(
        (r) => r.at > (refused.answeredAt ?? 0) && r.at < (refused.answeredAt ?? 0) + 990,
      );
      expect(during).toEqual([]);
    }
    // And never more than the bucket allows: the burst plus the rate since the first request.
    const first = sent[0]?.at ?? 0;
    sent.forEach((request, index) => {
      const allowed = budget.burst + ((request.at - first) / 60_000) * budget.requestsPerMinute;
      expect(index + 1).toBeLessThanOrEqual(Math.floor(allowed) + 1);
    });
  }, 30_000);

  it("spreads a burst of calls at the budget's rate", async () => {
    const { fetch, sent } = recordingFetch();
    const budget = { requestsPerMinute: 600, burst: 4 };
    const client = clientFor(server.url, w.buyer, { fetch, budget });
    const started = Date.now();
    await Promise.all(Array.from({ length: 14 }, () => client.getChatsV2()));
    // 15 requests (a token and 14 calls): 4 at once, then one each 100 ms.
    expect(sent).toHaveLength(15);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    sent.forEach((request, index) => {
      const allowed = budget.burst + ((request.at - started) / 60_000) * budget.requestsPerMinute;
      expect(index + 1).toBeLessThanOrEqual(Math.floor(allowed) + 1);
    });
  });
});

describe("a Retry-After longer than maxRetryAfterMs", () => {
  it("is thrown at once as AvitoRateLimitError, with the server's wait", async () => {
    await addFault(api, {
      operation: "getChatsV2",
      user_id: w.seller.user_id,
      status: 429,
      retry_after: 5,
      times: 1,
    });
    const { fetch, sent } = recordingFetch();
    const client = clientFor(server.url, w.seller, { fetch, maxRetryAfterMs: 1000 });
    const started = Date.now();
    const error = await client.getChatsV2().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AvitoRateLimitError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 5000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sent.filter((r) => r.path.endsWith("/chats"))).toHaveLength(1);
  });
});

describe("server errors and lost answers on reads", () => {
  it("retries a 500 on getChatsV2 and succeeds", async () => {
    const fault = await addFault(api, {
      operation: "getChatsV2",
      user_id: w.seller.user_id,
      status: 500,
      times: 2,
    });
    const retries: RetryEvent[] = [];
    const client = clientFor(server.url, w.seller, {
      backoff: { baseMs: 50 },
      onRetry: (event) => retries.push(event),
    });
    const page = await client.getChatsV2();
    expect(page.chats?.map((chat) => chat.id)).toContain(w.chatId);
    expect(await faultFired(api, fault)).toBe(2);
    expect(retries.map((event) => [event.reason, event.error.status])).toEqual([
      ["server", 500],
      ["server", 500],
    ]);
  });

  it("retries a read whose connection was cut", async () => {
    const fault = await addFault(api, {
      operation: "getMessagesV3",
      user_id: w.seller.user_id,
      drop: "before",
      times: 1,
    });
    const retries: RetryEvent[] = [];
    const client = clientFor(server.url, w.seller, {
      backoff: { baseMs: 50 },
      onRetry: (event) => retries.push(event),
    });
    const messages = await client.getMessagesV3(w.chatId);
    expect(messages).toHaveLength(2);
    expect(await faultFired(api, fault)).toBe(1);
    expect(retries.map((event) => event.reason)).toEqual(["connection"]);
  });

  it("gives up after maxRetries with the last error", async () => {
    await addFault(api, {
      operation: "getChatByIdV2",
      user_id: w.seller.user_id,
      status: 503,
      times: 5,
    });
    const { fetch, sent } = recordingFetch();
    const client = clientFor(server.url, w.seller, {
      fetch,
      maxRetries: 2,
      backoff: { baseMs: 20 },
    });
    const error = await client.getChatByIdV2(w.chatId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AvitoServerError);
    expect(error).toMatchObject({ status: 503, operation: "getChatByIdV2" });
    expect(sent.filter((r) => r.path.includes("/chats/"))).toHaveLength(3);
  });
});
