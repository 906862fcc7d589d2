// The per-account rate limit on the messenger API, in minutes of the sandbox clock: every
// authenticated response carries X-RateLimit-Limit and X-RateLimit-Remaining; past the limit the
// answer is 429 with Retry-After in the {"error":{"code":429,…}} envelope; each account has its own
// budget; the next minute starts afresh.
import { afterAll, beforeAll, expect, test } from "vitest";
import { type ApiResponse, TestApi } from "./helpers/api.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

const LIMIT = 5;

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  server = await startTestServer({ rateLimitPerMinute: LIMIT });
  api = new TestApi(server.url, server.adminToken);
  w = await makeWorld(api);
});
afterAll(() => server.stop());

/**
 * Moves the sandbox clock to the first second of the next minute, so that the whole test runs in
 * one window (it would take a minute of real time to leave it) and never straddles two.
 */
async function startOfNextMinute(): Promise<void> {
  const intoMinuteMs = server.clock.nowMs() % 60_000;
  await api.advanceClock(Math.ceil((60_000 - intoMinuteMs) / 1000));
}

function chats(token: string, userId: number): Promise<ApiResponse> {
  return api.call("getChatsV2", { token, params: { user_id: userId } });
}

/** Different operations draw on the same budget. */
function anyCall(n: number, token: string, userId: number, chatId: string): Promise<ApiResponse> {
  const chat = { user_id: userId, chat_id: chatId };
  switch (n % 4) {
    case 0:
      return chats(token, userId);
    case 1:
      return api.call("getChatByIdV2", { token, params: chat });
    case 2:
      return api.call("getMessagesV3", { token, params: chat });
    default:
      return api.call("postSendMessage", {
        token,
        params: chat,
        json: { message: { text: `Сообщение ${n}` }, type: "text" },
      });
  }
}

function expectHeaders(response: ApiResponse, remaining: number): void {
  expect(response.headers.get("x-ratelimit-limit")).toBe(String(LIMIT));
  expect(response.headers.get("x-ratelimit-remaining")).toBe(String(remaining));
}

function expectLimited(response: ApiResponse): number {
  expect(response.status, response.text).toBe(429);
  expect(response.body).toEqual({ error: { code: 429, message: expect.any(String) } });
  expectHeaders(response, 0);
  const retryAfter = response.headers.get("retry-after");
  expect(retryAfter).toMatch(/^\d+$/);
  const seconds = Number(retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
  return seconds;
}

test("headers count down; the 6th request in the minute is 429 with Retry-After", async () => {
  await startOfNextMinute();
  for (let n = 0; n < LIMIT; n++) {
    const response = await anyCall(n, w.sellerToken, w.seller.user_id, w.chatId);
    expect(response.status, response.text).toBe(200);
    expectHeaders(response, LIMIT - 1 - n);
  }
  expectLimited(await chats(w.sellerToken, w.seller.user_id));
  // And it stays refused for the rest of the minute, whatever the operation.
  expectLimited(await anyCall(3, w.sellerToken, w.seller.user_id, w.chatId));
});

test("refused and failing requests carry the headers and count too", async () => {
  await startOfNextMinute();
  const notFound = await api.call("getChatByIdV2", {
    token: w.sellerToken,
    params: { user_id: w.seller.user_id, chat_id: "u2i-AAAAAAAAAAAAAAAAAAAAAA" },
  });
  expect(notFound.status).toBe(404);
  expectHeaders(notFound, LIMIT - 1);
  const foreign = await chats(w.sellerToken, w.buyer.user_id);
  expect(foreign.status).toBe(403);
  expectHeaders(foreign, LIMIT - 2);
  const ok = await chats(w.sellerToken, w.seller.user_id);
  expect(ok.status).toBe(200);
  expectHeaders(ok, LIMIT - 3);
});

test("the limit is per account: every token of the account shares it, other accounts do not", async () => {
  await startOfNextMinute();
  for (let n = 0; n < LIMIT; n++) {
    expect((await chats(w.sellerToken, w.seller.user_id)).status).toBe(200);
  }
  expectLimited(await chats(w.sellerToken, w.seller.user_id));
  const secondToken = await api.token(w.seller);
  expectLimited(await chats(secondToken, w.seller.user_id));

  const buyer = await chats(w.buyerToken, w.buyer.user_id);
  expect(buyer.status).toBe(200);
  expectHeaders(buyer, LIMIT - 1);
  const buyerAgain = await anyCall(2, w.buyerToken, w.buyer.user_id, w.chatId);
  expect(buyerAgain.status).toBe(200);
  expectHeaders(buyerAgain, LIMIT - 2);
});

test("advancing the sandbox clock 60 s starts a new window", async () => {
  await startOfNextMinute();
  for (let n = 0; n < LIMIT; n++) {
    expect((await chats(w.sellerToken, w.seller.user_id)).status).toBe(200);
  }
  expectLimited(await chats(w.sellerToken, w.seller.user_id));
  await api.advanceClock(60);
  const fresh = await chats(w.sellerToken, w.seller.user_id);
  expect(fresh.status).toBe(200);
  expectHeaders(fresh, LIMIT - 1);
});

test("Retry-After tells the truth: after that many seconds the account is served again", async () => {
  await startOfNextMinute();
  // Into the window a little, so that Retry-After is less than a whole minute.
  await api.advanceClock(20);
  for (let n = 0; n < LIMIT; n++) {
    expect((await chats(w.strangerToken, w.stranger.user_id)).status).toBe(200);
  }
  const retryAfter = expectLimited(await chats(w.strangerToken, w.stranger.user_id));
  expect(retryAfter).toBeLessThanOrEqual(40);
  await api.advanceClock(retryAfter);
  const served = await chats(w.strangerToken, w.stranger.user_id);
  expect(served.status).toBe(200);
  expectHeaders(served, LIMIT - 1);
});

test("a refused token draws on no account's budget", async () => {
  await startOfNextMinute();
  for (let n = 0; n < LIMIT + 2; n++) {
    const response = await chats("no-such-token", w.buyer.user_id);
    expect(response.status).toBe(403);
  }
  const buyer = await chats(w.buyerToken, w.buyer.user_id);
  expect(buyer.status).toBe(200);
  expectHeaders(buyer, LIMIT - 1);
});
