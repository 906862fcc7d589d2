// Webhook subscriptions and the envelope production sends: postWebhookV3 (probe, replacement),
// postWebhookUnsubscribe, getSubscriptions (POST only), and the v3 envelope byte for byte with
// its headers and signature; own messages echoed; 500s retried in order; a hung receiver cut at
// 2 s. (webhook-delivery.test.ts covers crashes, isolation, the log, give-up and SSRF.)
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TestApi } from "./helpers/api.ts";
import { assertMatches, schemaOf } from "./helpers/contract-validator.ts";
import { deliveriesSettled } from "./helpers/deliveries.ts";
import { type Answer, type Receiver, startReceiver } from "./helpers/receiver.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

let server: TestServer;
let api: TestApi;
let w: World;
const receivers: Receiver[] = [];

async function receiver(
  fallback: ConstructorParameters<typeof Object>[0] = 200,
): Promise<Receiver> {
  const started = await startReceiver(fallback as number);
  receivers.push(started);
  return started;
}

beforeAll(async () => {
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
  w = await makeWorld(api);
});
afterAll(async () => {
  await server.stop();
  for (const r of receivers) await r.close();
});

function subscribe(token: string, url: string) {
  return api.call<{ ok?: boolean; error?: { fields?: Record<string, string> } }>("postWebhookV3", {
    token,
    params: {},
    json: { url },
  });
}

function subscriptions(token: string) {
  return api.call<{ subscriptions: { url: string; version: string }[] }>("getSubscriptions", {
    token,
    params: {},
  });
}

interface Envelope {
  id: string;
  version: string;
  timestamp: number;
  payload: { type: string; value: Record<string, unknown> & { id: string } };
}

const parse = (body: string) => JSON.parse(body) as Envelope;

interface LoggedDelivery {
  status: string;
  headers: Record<string, string>;
  attempts: {
    status: number | null;
    response: string | null;
    error: string | null;
    duration_ms: number;
  }[];
}

/** The account's newest delivery, as the sandbox log shows it. */
async function latestDelivery(userId: number): Promise<LoggedDelivery | undefined> {
  const log = await api.sandbox<{ deliveries: LoggedDelivery[] }>(
    "GET",
    `/webhooks/deliveries?user_id=${userId}&limit=1`,
  );
  return log.body.deliveries[0];
}

/** A fresh seller account with a chat and a subscription to a new receiver. */
async function subscribedSeller(fallback: Answer = 200) {
  const seller = await api.createAccount("Продавец с вебхуком");
  const buyer = await api.createAccount("Покупатель");
  const { item_id } = await api.createItem(seller.user_id, "Самокат", "5 000 ₽");
  const { chat_id } = await api.openChat({ type: "u2i", item_id, user_id: buyer.user_id });
  const token = await api.token(seller);
  const hook = await receiver(fallback);
  hook.script.push(200); // the probe
  expect((await subscribe(token, hook.url)).status).toBe(200);
  await hook.waitFor(1);
  return { seller, buyer, itemId: item_id, chatId: chat_id, token, hook };
}

describe("subscriptions", () => {
  test("subscribe probes the URL with POST {}, then lists it as version 3", async () => {
    const hook = await receiver();
    const response = await subscribe(w.sellerToken, hook.url);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true });
    const [probe] = await hook.waitFor(1);
    expect(probe?.body).toBe("{}");
    expect(probe?.headers["content-type"]).toBe("application/json");
    expect((await subscriptions(w.sellerToken)).body).toEqual({
      subscriptions: [{ url: hook.url, version: "3" }],
    });
  });

  test("one subscription per account: a new URL replaces the old one", async () => {
    const first = await receiver();
    const second = await receiver();
    await subscribe(w.buyerToken, first.url);
    await subscribe(w.buyerToken, second.url);
    expect((await subscriptions(w.buyerToken)).body.subscriptions).toEqual([
      { url: second.url, version: "3" },
    ]);
    const before = first.received.length;
    await api.text(w.chatId, w.seller.user_id, "Кто получит?");
    await second.waitFor(2); // probe + the message
    expect(first.received.length).toBe(before);
  });

  test("a URL that does not answer 200 to the probe is refused, saying why, and nothing is stored", async () => {
    const account = await api.createAccount("Без вебхука");
    const token = await api.token(account);
    // Deliveries of the tests before still in flight would change the store under this one.
    await deliveriesSettled(api);
    const before = await storeSnapshot(server.ctx.store);
    const failing = await receiver(500);
    const refused = await subscribe(token, failing.url);
    expect(refused.status).toBe(400);
    expect(refused.body.error?.fields?.url).toMatch(/answered 500/);
    const closed = await subscribe(token, "http://127.0.0.1:9/hook");
    expect(closed.status).toBe(400);
    expect(closed.body.error?.fields?.url).toMatch(/ECONNREFUSED/);
    for (const url of ["ftp://example.com/hook", "not a url", "http://user:secret@example.com/"]) {
      const bad = await subscribe(token, url);
      expect(bad.status, url).toBe(400);
      expect(bad.body.error?.fields).toHaveProperty("url");
    }
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
    expect((await subscriptions(token)).body).toEqual({ subscriptions: [] });
  });

  test("a probe that hangs is cut at 2 s", async () => {
    const account = await api.createAccount("Медленный");
    const token = await api.token(account);
    const slow = await receiver("hang");
    const started = performance.now();
    const refused = await subscribe(token, slow.url);
    const elapsed = performance.now() - started;
    expect(refused.status).toBe(400);
    expect(refused.body.error?.fields?.url).toMatch(/within 2 s/);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
  });

  test("unsubscribe ends the subscription; another URL is left alone; GET on the list is 404", async () => {
    const account = await api.createAccount("Отписка");
    const token = await api.token(account);
    const hook = await receiver();
    await subscribe(token, hook.url);
    const other = await api.call("postWebhookUnsubscribe", {
      token,
      params: {},
      json: { url: "http://127.0.0.1:1/other" },
    });
    expect(other.body).toEqual({ ok: true });
    expect((await subscriptions(token)).body.subscriptions).toHaveLength(1);
    const done = await api.call("postWebhookUnsubscribe", {
      token,
      params: {},
      json: { url: hook.url },
    });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ ok: true });
    expect((await subscriptions(token)).body).toEqual({ subscriptions: [] });
    const get = await api.request("GET", "/messenger/v1/subscriptions", { token });
    expect(get.status).toBe(404);
    const missing = await api.call("postWebhookV3", { token, params: {}, json: {} });
    expect(missing.status).toBe(400);
  });

  test("with the probe turned off a URL is accepted unprobed", async () => {
    const quiet = await startTestServer({ webhookProbe: false });
    try {
      const quietApi = new TestApi(quiet.url, quiet.adminToken);
      const account = await quietApi.createAccount("Без пробы");
      const hook = await receiver(500);
      const response = await quietApi.call("postWebhookV3", {
        token: await quietApi.token(account),
        params: {},
        json: { url: hook.url },
      });
      expect(response.status).toBe(200);
      expect(hook.received).toHaveLength(0);
    } finally {
      await quiet.stop();
    }
  });
});

describe("delivery", () => {
  test("the envelope, byte for byte, with its headers and signature", async () => {
    const { seller, buyer, itemId, chatId, hook } = await subscribedSeller();
    const message = await api.text(chatId, buyer.user_id, "Привет");
    const [, arrived] = await hook.waitFor(2);
    if (!arrived) throw new Error("no delivery");
    const envelope = parse(arrived.body);
    const expected = JSON.stringify({
      id: envelope.id,
      version: "v3.0.0",
      timestamp: envelope.timestamp,
      payload: {
        type: "message",
        value: {
          id: message.id,
          chat_id: chatId,
          chat_type: "u2i",
          user_id: seller.user_id,
          author_id: buyer.user_id,
          item_id: itemId,
          created: message.created,
          type: "text",
          content: { text: "Привет" },
          published_at: new Date(message.created * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          read: null,
        },
      },
    });
    expect(arrived.body).toBe(expected);
    expect(envelope.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(Math.abs(envelope.timestamp - message.created)).toBeLessThanOrEqual(1);
    assertMatches("WebhookEnvelope", schemaOf("WebhookEnvelope"), envelope);
    expect(arrived.path).toBe("/avito/webhook");
    expect(arrived.headers["content-type"]).toBe("application/json");
    expect(arrived.headers["user-agent"]).toMatch(/^Beseda/);
    const signature = createHmac("sha256", seller.client_secret).update(arrived.body).digest("hex");
    expect(arrived.headers["x-avito-messenger-signature"]).toBe(signature);
  });

  test("the account's own messages are echoed, through the API too; video, file and appCall carry {}", async () => {
    const { seller, buyer, chatId, token, hook } = await subscribedSeller();
    const sent = await api.call<{ id: string }>("postSendMessage", {
      token,
      params: { user_id: seller.user_id, chat_id: chatId },
      json: { message: { text: "Эхо" }, type: "text" },
    });
    await api.post(chatId, buyer.user_id, "video", {});
    const arrived = (await hook.waitFor(3)).slice(1).map((r) => parse(r.body).payload.value);
    expect(arrived[0]).toMatchObject({
      id: sent.body.id,
      author_id: seller.user_id,
      user_id: seller.user_id,
      content: { text: "Эхо" },
    });
    expect(arrived[1]).toMatchObject({ type: "video", content: {}, author_id: buyer.user_id });
  });

  test("a receiver answering 500 three times, then 200, gets the message four times, the same bytes", async () => {
    const { seller, buyer, chatId, hook } = await subscribedSeller();
    hook.script.push(500, 500, { status: 500, body: "busy" }, 200);
    await api.text(chatId, buyer.user_id, "Повтор");
    for (let attempt = 1; attempt <= 3; attempt++) {
      // Move the clock only once the attempt is written: its retry is then scheduled already.
      await expect
        .poll(async () => (await latestDelivery(seller.user_id))?.attempts.length)
        .toBe(attempt);
      await api.advanceClock(60);
    }
    const deliveries = (await hook.waitFor(5)).slice(1);
    expect(deliveries).toHaveLength(4);
    expect(new Set(deliveries.map((d) => d.body)).size).toBe(1);
    await expect.poll(async () => (await latestDelivery(seller.user_id))?.status).toBe("delivered");
    const entry = await latestDelivery(seller.user_id);
    expect(entry?.attempts.map((a) => a.status)).toEqual([500, 500, 500, 200]);
    expect(entry?.attempts[2]?.response).toBe("busy");
    // The log shows the headers exactly as they arrived (all but Node's host and connection).
    const { host: _host, connection: _connection, ...arrived } = deliveries[3]?.headers ?? {};
    expect(entry?.headers).toEqual(arrived);
    expect(entry?.headers["x-avito-messenger-signature"]).toMatch(/^[0-9a-f]{64}$/);
  });

  test("a receiver that hangs is cut at 2 s and retried", async () => {
    const { seller, buyer, chatId, hook } = await subscribedSeller();
    hook.script.push("hang");
    await api.text(chatId, buyer.user_id, "Ждёшь?");
    await hook.waitFor(2);
    await expect
      .poll(async () => (await latestDelivery(seller.user_id))?.attempts[0], { timeout: 5000 })
      .toMatchObject({
        error: expect.stringMatching(/within 2 s/),
        duration_ms: expect.any(Number),
      });
    await api.advanceClock(60);
    await hook.waitFor(3);
  });
});
