// Fault injection over HTTP, seen by a real client: each status in production's body (429 with
// Retry-After and the rate-limit headers), latency, a dropped connection before the handler
// (nothing changed) and after it (the message stored and its webhook delivered, the client left
// with a socket error); matching by operation, account, chat and "*"; firing always, N times, with
// a seeded probability (the same sequence on two servers) or until a sandbox time; the header and
// the request log; listing, removal; every bad rule refused naming its field, nothing stored; the
// token faults (expire an account's tokens, revoke a refresh token). Webhook faults and restarts:
// faults-webhooks.test.ts.
import { rmSync } from "node:fs";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_CONFIG } from "../src/config.ts";
import type { FaultRuleView } from "../src/domain/sandbox/faults-rules.ts";
import { type RunningServer, startServer } from "../src/server.ts";
import { type ApiResponse, type Credentials, TestApi } from "./helpers/api.ts";
import { type Receiver, startReceiver } from "./helpers/receiver.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import { startTestServer, type TestServer, tempDataDir } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

/** A rule as the sandbox answers it. */
type Rule = FaultRuleView;

interface ErrorBody {
  error: { code: number; message: string; fields?: Record<string, string> };
}

interface RequestLine {
  msg: string;
  method: string;
  url: string;
  status: number | null;
  fault?: string;
  dropped?: string;
}

const lines: string[] = [];
let server: RunningServer;
let dataDir: string;
let api: TestApi;
let w: World;
const receivers: Receiver[] = [];
const others: TestServer[] = [];

beforeAll(async () => {
  dataDir = tempDataDir();
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
  server = await startServer({ ...DEFAULT_CONFIG, port: 0, demo: false, dataDir }, logger);
  api = new TestApi(server.url, server.adminToken);
  w = await makeWorld(api);
});
afterEach(async () => {
  expect((await api.sandbox("DELETE", "/faults")).status).toBe(200);
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  for (const r of receivers) await r.close();
  for (const s of others) await s.stop();
});

async function addFault(rule: Record<string, unknown>, on: TestApi = api): Promise<Rule> {
  const response = await on.sandbox<Rule>("POST", "/faults", rule);
  if (response.status !== 201)
    throw new Error(`POST /faults answered ${response.status}: ${response.text}`);
  return response.body;
}

async function listFaults(on: TestApi = api): Promise<Rule[]> {
  const response = await on.sandbox<{ faults: Rule[] }>("GET", "/faults");
  expect(response.status).toBe(200);
  return response.body.faults;
}

function getChats(token = w.sellerToken, userId = w.seller.user_id, on: TestApi = api) {
  return on.call<unknown>("getChatsV2", { token, params: { user_id: userId } });
}

function sendText(
  text: string,
  token = w.sellerToken,
  userId = w.seller.user_id,
  chatId = w.chatId,
) {
  return api.call<{ id: string }>("postSendMessage", {
    token,
    params: { user_id: userId, chat_id: chatId },
    json: { message: { text }, type: "text" },
  });
}

async function texts(chatId = w.chatId): Promise<string[]> {
  const response = await api.call<{ content: { text?: string } }[]>("getMessagesV3", {
    token: w.sellerToken,
    params: { user_id: w.seller.user_id, chat_id: chatId },
  });
  expect(response.status).toBe(200);
  return response.body.map((m) => m.content.text ?? "");
}

/** The socket error a client sees when the server destroys the connection without answering. */
async function expectDropped(request: Promise<unknown>): Promise<void> {
  const error = await request.then(
    () => null,
    (e: unknown) => e as Error & { cause?: { code?: string } },
  );
  expect(error, "the request was answered").not.toBeNull();
  expect(error?.cause?.code).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
}

function requestLines(): RequestLine[] {
  return lines.map((l) => JSON.parse(l) as RequestLine).filter((l) => l.msg === "request");
}

/** The log line of the newest `method` request to a path containing `part` (written once it ended). */
async function lastLineFor(method: string, part: string): Promise<RequestLine | undefined> {
  for (let i = 0; i < 50; i++) {
    const found = requestLines()
      .filter((l) => l.method === method && l.url.includes(part))
      .at(-1);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

/** Every table but the fault rules' (whose counts move whenever a rule is consulted). */
async function worldSnapshot(): Promise<string> {
  const tables = JSON.parse(await storeSnapshot(server.ctx.store)) as Record<string, unknown>;
  delete tables.fault_rule;
  return JSON.stringify(tables);
}

async function clockNow(): Promise<number> {
  return (await api.sandbox<{ now: number }>("GET", "/clock")).body.now;
}

describe("statuses, in production's bodies", () => {
  test("429: Retry-After, the rate-limit headers and X-Beseda-Fault; the send is not made", async () => {
    const rule = await addFault({
      operation: "postSendMessage",
      user_id: w.seller.user_id,
      status: 429,
      retry_after: 7,
      times: 1,
    });
    expect(rule).toMatchObject({
      id: expect.stringMatching(/^fault-\d+$/),
      fired: 0,
      spent: false,
    });
    const refused = await sendText("не дойдёт");
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: { code: 429, message: "Too many requests" } });
    expect(refused.headers.get("retry-after")).toBe("7");
    expect(refused.headers.get("x-ratelimit-limit")).toBe(
      String(DEFAULT_CONFIG.rateLimitPerMinute),
    );
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(refused.headers.get("x-beseda-fault")).toBe(rule.id);
    expect(await texts()).not.toContain("не дойдёт");
    // Spent after one: the next send goes through, unmarked.
    const sent = await sendText("дойдёт");
    expect(sent.status).toBe(200);
    expect(sent.headers.get("x-beseda-fault")).toBeNull();
    expect(await texts()).toContain("дойдёт");
  });

  test("429 without retry_after: the seconds to the next minute, as the rate limiter says", async () => {
    await addFault({ operation: "getChatsV2", user_id: w.seller.user_id, status: 429, times: 1 });
    const refused = await getChats();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  test.each([
    [402, { error: { code: 402, message: "Payment required" } }],
    [
      500,
      { error: { code: 500, message: "Error while processing request. Please, contact support" } },
    ],
    [502, { error: { code: 502, message: "Bad gateway" } }],
    [
      503,
      { error: { code: 503, message: "Service temporarily unavailable. Please, contact support" } },
    ],
    [403, { result: { status: false, message: "access token expired" } }],
  ])("%i answers its body, marked, and only for the account named", async (status, body) => {
    const rule = await addFault({ operation: "getChatsV2", user_id: w.seller.user_id, status });
    const faulty = await getChats();
    expect(faulty.status).toBe(status);
    expect(faulty.body).toEqual(body);
    expect(faulty.headers.get("x-beseda-fault")).toBe(rule.id);
    const other = await getChats(w.buyerToken, w.buyer.user_id);
    expect(other.status).toBe(200);
    expect(other.headers.get("x-beseda-fault")).toBeNull();
    const line = await lastLineFor("GET", `/accounts/${w.seller.user_id}/chats`);
    expect(line).toMatchObject({ status, fault: rule.id });
  });

  test("a rule on a chat hits that chat only; '*' hits every operation of the account", async () => {
    const seller = await api.createAccount("Продавец двух чатов");
    const token = await api.token(seller);
    const { item_id: itemId } = await api.createItem(seller.user_id, "Кресло");
    const chatA = (await api.openChat({ type: "u2i", item_id: itemId, user_id: w.buyer.user_id }))
      .chat_id;
    const chatB = (
      await api.openChat({ type: "u2i", item_id: itemId, user_id: w.stranger.user_id })
    ).chat_id;
    const messages = (chatId: string) =>
      api.call("getMessagesV3", { token, params: { user_id: seller.user_id, chat_id: chatId } });
    const onChat = await addFault({
      operation: "getMessagesV3",
      user_id: seller.user_id,
      chat_id: chatA,
      status: 500,
    });
    expect((await messages(chatA)).status).toBe(500);
    expect((await messages(chatB)).status).toBe(200);
    await api.sandbox("DELETE", `/faults/${onChat.id}`);

    const everything = await addFault({ operation: "*", user_id: seller.user_id, status: 503 });
    expect((await messages(chatB)).status).toBe(503);
    // No user_id in the path: the account is the token's.
    const subscriptions = await api.call("getSubscriptions", { token, params: {} });
    expect(subscriptions.status).toBe(503);
    expect(subscriptions.headers.get("x-beseda-fault")).toBe(everything.id);
    expect((await getChats()).status).toBe(200);
  });

  test("the token endpoint, matched by the client's account", async () => {
    const rule = await addFault({
      operation: "getAccessToken",
      user_id: w.seller.user_id,
      status: 503,
    });
    const refused = await api.request<{ error: string }>("POST", "/token", {
      form: { grant_type: "client_credentials", ...pick(w.seller) },
    });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe("server_error");
    expect(refused.headers.get("x-beseda-fault")).toBe(rule.id);
    const other = await api.request("POST", "/token", {
      form: { grant_type: "client_credentials", ...pick(w.buyer) },
    });
    expect(other.status).toBe(200);
  });
});

function pick(credentials: Credentials) {
  return { client_id: credentials.client_id, client_secret: credentials.client_secret };
}

describe("latency", () => {
  test("delays the answer, which carries X-Beseda-Fault; with a status, the status comes late", async () => {
    const slow = await addFault({
      operation: "getChatsV2",
      user_id: w.seller.user_id,
      latency_ms: 400,
      times: 1,
    });
    let started = performance.now();
    const delayed = await getChats();
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(delayed.status).toBe(200);
    expect(delayed.headers.get("x-beseda-fault")).toBe(slow.id);
    expect((await getChats()).headers.get("x-beseda-fault")).toBeNull();
    expect(await lastLineFor("GET", `/accounts/${w.seller.user_id}/chats`)).toMatchObject({
      status: 200,
    });

    await addFault({
      operation: "getChatsV2",
      user_id: w.seller.user_id,
      latency_ms: 300,
      status: 503,
      times: 1,
    });
    started = performance.now();
    const late = await getChats();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(late.status).toBe(503);
  });
});

describe("dropped connections", () => {
  test("before: the client gets a socket error and nothing changes", async () => {
    const rule = await addFault({
      operation: "postSendMessage",
      user_id: w.seller.user_id,
      chat_id: w.chatId,
      drop: "before",
      times: 1,
    });
    const before = await worldSnapshot();
    await expectDropped(sendText("оборвано до"));
    expect(await worldSnapshot()).toBe(before);
    expect(await texts()).not.toContain("оборвано до");
    const line = await lastLineFor("POST", `/chats/${encodeURIComponent(w.chatId)}/messages`);
    expect(line).toMatchObject({ method: "POST", status: null, fault: rule.id, dropped: "before" });
    expect((await listFaults())[0]).toMatchObject({ id: rule.id, fired: 1, spent: true });
  });

  test("after: the message is stored once and its webhook delivered, yet the client gets a socket error", async () => {
    const seller = await api.createAccount("Продавец с обрывом");
    const token = await api.token(seller);
    const { item_id: itemId } = await api.createItem(seller.user_id, "Лампа");
    const { chat_id: chatId } = await api.openChat({
      type: "u2i",
      item_id: itemId,
      user_id: w.buyer.user_id,
    });
    const hook = await startReceiver(200);
    receivers.push(hook);
    const subscribed = await api.call("postWebhookV3", {
      token,
      params: {},
      json: { url: hook.url },
    });
    expect(subscribed.status).toBe(200);
    const rule = await addFault({
      operation: "postSendMessage",
      user_id: seller.user_id,
      drop: "after",
      times: 1,
    });
    await expectDropped(sendText("оборвано после", token, seller.user_id, chatId));
    const messages = await api.call<{ content: { text?: string } }[]>("getMessagesV3", {
      token,
      params: { user_id: seller.user_id, chat_id: chatId },
    });
    expect(messages.body.filter((m) => m.content.text === "оборвано после")).toHaveLength(1);
    const [delivered] = await hook.waitFor(1, { filter: (r) => r.body.includes("оборвано после") });
    expect(JSON.parse(delivered?.body ?? "{}").payload.value).toMatchObject({
      chat_id: chatId,
      author_id: seller.user_id,
      content: { text: "оборвано после" },
    });
    const line = await lastLineFor("POST", `/chats/${encodeURIComponent(chatId)}/messages`);
    expect(line).toMatchObject({ method: "POST", status: 200, fault: rule.id, dropped: "after" });
    // The integrator's retry sends it twice: what this fault exists to show.
    expect((await sendText("оборвано после", token, seller.user_id, chatId)).status).toBe(200);
  });
});

describe("firing", () => {
  test("times N: fires N times, then stays listed as spent with its count", async () => {
    const rule = await addFault({
      operation: "getChatsV2",
      user_id: w.seller.user_id,
      status: 500,
      times: 2,
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await getChats()).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(await listFaults()).toEqual([{ ...rule, fired: 2, matched: 2, spent: true }]);
  });

  test("until a sandbox time: fires until the clock passes it", async () => {
    const now = await clockNow();
    const rule = await addFault({
      operation: "getChatsV2",
      user_id: w.seller.user_id,
      status: 502,
      until: now + 120,
    });
    expect((await getChats()).status).toBe(502);
    expect((await listFaults())[0]).toMatchObject({ fired: 1, spent: false });
    await api.advanceClock(121);
    expect((await getChats()).status).toBe(200);
    expect((await listFaults())[0]).toMatchObject({ id: rule.id, fired: 1, spent: true });
  });

  test("probability: the same seed fires on the same requests on two servers", async () => {
    const other = await startTestServer();
    others.push(other);
    const otherApi = new TestApi(other.url, other.adminToken);
    const ow = await makeWorld(otherApi);

    async function run(on: TestApi, world: World, rule: Record<string, unknown>) {
      const added = await addFault(
        { operation: "getChatsV2", user_id: world.seller.user_id, ...rule },
        on,
      );
      const fired: boolean[] = [];
      for (let i = 0; i < 24; i++) {
        const response = await getChats(world.sellerToken, world.seller.user_id, on);
        fired.push(response.status === 503);
        expect(response.headers.get("x-beseda-fault")).toBe(
          response.status === 503 ? added.id : null,
        );
      }
      const listed = (await listFaults(on)).find((r) => r.id === added.id);
      expect(listed).toMatchObject({ matched: 24, fired: fired.filter(Boolean).length });
      await on.sandbox("DELETE", `/faults/${added.id}`);
      return { fired, seed: listed?.seed };
    }

    const seeded = { status: 503, probability: 0.5, seed: 12345 };
    const here = await run(api, w, seeded);
    const there = await run(otherApi, ow, seeded);
    expect(here.fired).toEqual(there.fired);
    expect(here.fired).toContain(true);
    expect(here.fired).toContain(false);
    expect((await run(api, w, { ...seeded, seed: 54321 })).fired).not.toEqual(here.fired);

    // No seed given: one derived from the id, listed, and replayed when given back elsewhere.
    const derived = await run(otherApi, ow, { status: 503, probability: 0.3 });
    const replayed = await run(api, w, { status: 503, probability: 0.3, seed: derived.seed });
    expect(replayed.fired).toEqual(derived.fired);
  });

  test("the oldest rule that fires acts; the others are not consulted", async () => {
    const first = await addFault({
      operation: "getChatsV2",
      user_id: w.seller.user_id,
      status: 502,
      times: 1,
    });
    const second = await addFault({
      operation: "*",
      user_id: w.seller.user_id,
      status: 503,
      times: 1,
    });
    expect((await getChats()).status).toBe(502);
    expect((await getChats()).status).toBe(503);
    expect((await getChats()).status).toBe(200);
    const listed = await listFaults();
    expect(listed.map((r) => [r.id, r.fired])).toEqual([
      [first.id, 1],
      [second.id, 1],
    ]);
  });
});

describe("the rules API", () => {
  test("POST answers the rule; GET lists them oldest first; DELETE one (404 unknown) or all", async () => {
    const a = await addFault({ operation: "getChatsV2", latency_ms: 1 });
    const b = await addFault({
      operation: "postSendMessage",
      user_id: w.seller.user_id,
      chat_id: w.chatId,
      drop: "after",
      times: 3,
      probability: 0.25,
      seed: 7,
    });
    expect(b).toEqual({
      id: b.id,
      operation: "postSendMessage",
      user_id: w.seller.user_id,
      chat_id: w.chatId,
      status: null,
      latency_ms: null,
      drop: "after",
      retry_after: null,
      times: 3,
      probability: 0.25,
      seed: 7,
      until: null,
      fired: 0,
      matched: 0,
      spent: false,
      created: expect.any(Number),
    });
    expect(Math.abs(b.created - (await clockNow()))).toBeLessThanOrEqual(1);
    expect((await listFaults()).map((r) => r.id)).toEqual([a.id, b.id]);
    const removed = await api.sandbox<Rule>("DELETE", `/faults/${a.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.id).toBe(a.id);
    for (const id of [a.id, "fault-999999", "nonsense"]) {
      const missing = await api.sandbox<ErrorBody>("DELETE", `/faults/${id}`);
      expect(missing.status, id).toBe(404);
      expect(missing.body.error.message).toBe("Fault rule not found");
    }
    await addFault({ operation: "*", status: 500, times: 1 });
    const cleared = await api.sandbox<{ deleted: number }>("DELETE", "/faults");
    expect(cleared.body).toEqual({ deleted: 2 });
    expect(await listFaults()).toEqual([]);
    expect((await getChats()).status).toBe(200);
  });

  test("the control routes need the admin token", async () => {
    for (const [method, path] of [
      ["GET", "/sandbox/v1/faults"],
      ["POST", "/sandbox/v1/faults"],
      ["DELETE", "/sandbox/v1/faults"],
      ["DELETE", "/sandbox/v1/faults/fault-1"],
      ["POST", `/sandbox/v1/accounts/${w.seller.user_id}/tokens/expire`],
      ["POST", "/sandbox/v1/tokens/revoke"],
    ] as const) {
      const response = await api.request(method, path, method === "GET" ? {} : { json: {} });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });

  test("every rule that could never act is refused, naming its field, and nothing is stored", async () => {
    const now = await clockNow();
    const base = { operation: "getChatsV2", status: 500 };
    const cases: [Record<string, unknown>, string][] = [
      [{}, "operation"],
      [{ operation: "" }, "operation"],
      [{ operation: "getChatsV3", status: 500 }, "operation"],
      [{ operation: 5, status: 500 }, "operation"],
      [{ ...base, user_id: 999_999_999 }, "user_id"],
      [{ ...base, user_id: 0 }, "user_id"],
      [{ ...base, chat_id: w.chatId }, "chat_id"],
      [{ operation: "postSendMessage", status: 500, chat_id: "u2i-nosuchchat" }, "chat_id"],
      [
        {
          operation: "postSendMessage",
          status: 500,
          user_id: w.stranger.user_id,
          chat_id: w.chatId,
        },
        "chat_id",
      ],
      [{ operation: "getChatsV2" }, "status"],
      [{ ...base, status: 404 }, "status"],
      [{ ...base, status: "500" }, "status"],
      [{ operation: "webhook", status: 200 }, "status"],
      [{ ...base, drop: "after" }, "drop"],
      [{ operation: "getChatsV2", drop: "sideways" }, "drop"],
      [{ operation: "getChatsV2", latency_ms: 60_001 }, "latency_ms"],
      [{ operation: "getChatsV2", latency_ms: 0 }, "latency_ms"],
      [{ ...base, times: 0 }, "times"],
      [{ ...base, times: 1.5 }, "times"],
      [{ ...base, probability: 0 }, "probability"],
      [{ ...base, probability: 1.5 }, "probability"],
      [{ ...base, seed: -1 }, "seed"],
      [{ ...base, until: now - 1 }, "until"],
      [{ ...base, until: now }, "until"],
      [{ ...base, retry_after: 5 }, "retry_after"],
      [{ ...base, latency: 100 }, "latency"],
    ];
    const before = await storeSnapshot(server.ctx.store);
    for (const [body, field] of cases) {
      const response = await api.sandbox<ErrorBody>("POST", "/faults", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe(400);
      expect(response.body.error.fields, JSON.stringify(body)).toHaveProperty(field);
    }
    expect(await listFaults()).toEqual([]);
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
    expect((await getChats()).status).toBe(200);
  });
});

describe("token faults", () => {
  interface TokenBody {
    access_token: string;
    refresh_token: string;
  }

  /** A token pair through an authorization code, for the account acting through its own app. */
  async function tokenPair(account: Credentials): Promise<TokenBody> {
    const code = await api.sandbox<{ code: string }>("POST", "/authorization-codes", {
      client_id: account.client_id,
      user_id: account.user_id,
    });
    expect(code.status).toBe(201);
    const response = await api.request<TokenBody>("POST", "/token", {
      form: { grant_type: "authorization_code", code: code.body.code, ...pick(account) },
    });
    expect(response.status).toBe(200);
    return response.body;
  }

  function refresh(account: Credentials, refreshToken: string) {
    return api.request<TokenBody & { error?: string; error_description?: string }>(
      "POST",
      "/token",
      {
        form: { grant_type: "refresh_token", refresh_token: refreshToken, ...pick(account) },
      },
    );
  }

  test("expire: every access token of the account answers 403 expired; refresh still works", async () => {
    const account = await api.createAccount("Истекающий");
    const bystander = await api.createAccount("Сосед");
    const personal = await api.token(account);
    const pair = await tokenPair(account);
    const bystanderToken = await api.token(bystander);
    for (const token of [personal, pair.access_token]) {
      expect((await getChats(token, account.user_id)).status).toBe(200);
    }
    const expired = await api.sandbox("POST", `/accounts/${account.user_id}/tokens/expire`);
    expect(expired.status).toBe(200);
    expect(expired.body).toEqual({ user_id: account.user_id, expired: 2 });
    for (const token of [personal, pair.access_token]) {
      const refused = await getChats(token, account.user_id);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ result: { status: false, message: "access token expired" } });
    }
    expect((await getChats(bystanderToken, bystander.user_id)).status).toBe(200);
    const renewed = await refresh(account, pair.refresh_token);
    expect(renewed.status).toBe(200);
    expect((await getChats(renewed.body.access_token, account.user_id)).status).toBe(200);
    expect((await getChats(await api.token(account), account.user_id)).status).toBe(200);
  });

  test("expire: an unknown account is 404, a bad id 400, and nothing changes", async () => {
    const before = await storeSnapshot(server.ctx.store);
    expect((await api.sandbox("POST", "/accounts/999999999/tokens/expire")).status).toBe(404);
    const bad = await api.sandbox<ErrorBody>("POST", "/accounts/abc/tokens/expire");
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty("user_id");
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test("revoke: the refresh grant then answers as it does for a reused token", async () => {
    const account = await api.createAccount("Отозванный");
    const revokedPair = await tokenPair(account);
    const revoked = await api.sandbox("POST", "/tokens/revoke", {
      refresh_token: revokedPair.refresh_token,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({
      user_id: account.user_id,
      client_id: account.client_id,
      revoked: true,
      already_used: false,
    });
    const refused = await refresh(account, revokedPair.refresh_token);
    // The same token used twice, for comparison.
    const reusedPair = await tokenPair(account);
    expect((await refresh(account, reusedPair.refresh_token)).status).toBe(200);
    const reused = await refresh(account, reusedPair.refresh_token);
    expect(refused.status).toBe(400);
    expect({ status: refused.status, body: refused.body }).toEqual({
      status: reused.status,
      body: reused.body,
    });
    expect(refused.body.error).toBe("invalid_grant");
    // Its access token is untouched.
    expect((await getChats(revokedPair.access_token, account.user_id)).status).toBe(200);
  });

  test("revoke: what is not a refresh token is refused naming the field, and nothing changes", async () => {
    const account = await api.createAccount("Неотзываемый");
    const access = await api.token(account);
    const before = await storeSnapshot(server.ctx.store);
    for (const body of [
      { refresh_token: "nonsense" },
      { refresh_token: access },
      {},
      { refresh_token: 5 },
    ]) {
      const response: ApiResponse<ErrorBody> = await api.sandbox("POST", "/tokens/revoke", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.fields).toHaveProperty("refresh_token");
    }
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });
});
