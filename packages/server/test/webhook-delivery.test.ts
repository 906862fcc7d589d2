// Webhook delivery under stress: a crash with 100 deliveries pending (kill -9), one hung receiver
// holding back nobody else, order within a chat while retrying, one delivery per subscribed
// participant (deletions too), the sandbox delivery log and redelivery, give-up and Retry-After,
// SSRF refusals in production mode and unfollowed redirects, and unsubscribe cancelling what is
// pending. Retries are driven by the sandbox clock; the only real waits are the 2-second cut-offs.
// (webhooks.test.ts covers subscriptions, the envelope bytes and signature, and simple retries.)
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ApiResponse, type Credentials, TestApi } from "./helpers/api.ts";
import { assertErrorEnvelope, assertMatches, schemaOf } from "./helpers/contract-validator.ts";
import { type Answer, type Received, type Receiver, startReceiver } from "./helpers/receiver.ts";
import { bannerValue, startServerProcess } from "./helpers/server-process.ts";
import { startTestServer, type TestServer, tempDataDir } from "./helpers/test-server.ts";

interface Envelope {
  id: string;
  version: string;
  timestamp: number;
  payload: {
    type: string;
    value: {
      id: string;
      chat_id: string;
      user_id: number;
      author_id: number;
      type: string;
      content: Record<string, unknown>;
    };
  };
}

interface AttemptView {
  number: number;
  url: string;
  at: string;
  duration_ms: number;
  status: number | null;
  error: string | null;
  response: string | null;
}

interface DeliveryView {
  id: string;
  user_id: number;
  chat_id: string;
  message_id: string;
  status: "queued" | "pending" | "delivered" | "failed" | "cancelled";
  attempts: AttemptView[];
  created: string;
  next_attempt: string | null;
  finished: string | null;
  body: Envelope;
}

type ErrorBody = { error?: { fields?: Record<string, string> } };

const receivers: Receiver[] = [];

/** A receiver closed after the file; `probe` scripts a 200 for the subscription probe first. */
async function receiver(fallback: Answer, probe = true): Promise<Receiver> {
  const started = await startReceiver(fallback);
  if (probe) started.script.push(200);
  receivers.push(started);
  return started;
}

afterAll(async () => {
  for (const r of receivers) await r.close();
});

/** Polls `probe` until it yields something truthy; throws with `what` after `timeoutMs`. */
async function waitUntil<T>(
  probe: () => Promise<T | false | null | undefined> | T | false | null | undefined,
  timeoutMs = 5000,
  what: string | (() => string) = "condition",
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (performance.now() > deadline) {
      const shown = typeof what === "string" ? what : what();
      throw new Error(`${shown}: not met within ${timeoutMs} ms`);
    }
    await pause(20);
  }
}

/** A short real pause, to show that nothing more happens (never a retry wait). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A webhook body, parsed and validated against the document's WebhookEnvelope. */
function envelopeOf(received: Received): Envelope {
  const body: unknown = JSON.parse(received.body);
  assertMatches("WebhookEnvelope", schemaOf("WebhookEnvelope"), body);
  return body as Envelope;
}

/** The deliveries after the probe, parsed and validated. */
function deliveriesOf(hook: Receiver): Envelope[] {
  return hook.received.filter((r) => r.body !== "{}").map(envelopeOf);
}

const ms = (iso: string) => Date.parse(iso);

function subscribe(api: TestApi, token: string, url: string) {
  return api.call<{ ok?: boolean } & ErrorBody>("postWebhookV3", {
    token,
    params: {},
    json: { url },
  });
}

function unsubscribe(api: TestApi, token: string, url: string) {
  return api.call<{ ok: boolean }>("postWebhookUnsubscribe", { token, params: {}, json: { url } });
}

async function deliveryLog(
  api: TestApi,
  query: {
    user_id?: number;
    status?: string;
    chat_id?: string;
    message_id?: string;
    limit?: number;
  },
): Promise<DeliveryView[]> {
  const response = await api.request<{ deliveries: DeliveryView[] }>(
    "GET",
    "/sandbox/v1/webhooks/deliveries",
    { token: api.adminToken, query },
  );
  if (response.status !== 200) throw new Error(`log answered ${response.status}: ${response.text}`);
  return response.body.deliveries;
}

/** The log entry of the delivery of `messageId` to `userId` (the newest, if several events). */
async function deliveryOf(
  api: TestApi,
  userId: number,
  messageId: string,
): Promise<DeliveryView | undefined> {
  return (await deliveryLog(api, { user_id: userId, limit: 1000 })).find(
    (d) => d.message_id === messageId,
  );
}

/** Waits until the delivery of `messageId` has `attempts` attempts recorded, and returns it. */
function afterAttempts(api: TestApi, userId: number, messageId: string, attempts: number) {
  let last: DeliveryView | undefined;
  return waitUntil(
    async () => {
      last = await deliveryOf(api, userId, messageId);
      return last && last.attempts.length >= attempts ? last : undefined;
    },
    5000,
    // What the delivery looked like, so that a failure says where it stopped.
    () => `attempt ${attempts} of ${messageId} (last seen: ${JSON.stringify(last)})`,
  );
}

interface Party {
  account: Credentials;
  token: string;
}

async function party(api: TestApi, name: string): Promise<Party> {
  const account = await api.createAccount(name);
  return { account, token: await api.token(account) };
}

/** A new u2i chat: an item of `seller`, asked about by `buyer`. */
async function chatOf(api: TestApi, seller: Party, buyer: Party): Promise<string> {
  const { item_id } = await api.createItem(seller.account.user_id, "Товар");
  return (await api.openChat({ type: "u2i", item_id, user_id: buyer.account.user_id })).chat_id;
}

/** A seller subscribed to `hook`, and a chat with a new buyer. */
async function subscribedSeller(api: TestApi, hook: Receiver) {
  const seller = await party(api, "Продавец");
  const buyer = await party(api, "Покупатель");
  const chatId = await chatOf(api, seller, buyer);
  const response = await subscribe(api, seller.token, hook.url);
  expect(response.status, response.text).toBe(200);
  return { seller, buyer, chatId, userId: seller.account.user_id };
}

/** The ids of a chat's messages, oldest first, as `who` reads them. */
async function chatHistory(api: TestApi, who: Party, chatId: string): Promise<string[]> {
  const response = await api.call<{ id: string }[]>("getMessagesV3", {
    token: who.token,
    params: { user_id: who.account.user_id, chat_id: chatId },
    query: { limit: 100 },
  });
  expect(response.status).toBe(200);
  return response.body.map((m) => m.id).reverse();
}

function sendText(api: TestApi, who: Party, chatId: string, text: string) {
  return api.call<{ id: string }>("postSendMessage", {
    token: who.token,
    params: { user_id: who.account.user_id, chat_id: chatId },
    json: { message: { text }, type: "text" },
  });
}

test("kill -9 with 100 deliveries pending: after a restart every message arrives", async () => {
  const dir = tempDataDir();
  const hook = await receiver(503);
  let server = await startServerProcess(dir, ["--no-demo"]);
  try {
    const adminToken = bannerValue(server.stdout(), "sandbox admin token");
    let api = new TestApi(server.url, adminToken);
    const seller = await party(api, "Продавец");
    const buyers = await Promise.all([1, 2, 3, 4].map((n) => party(api, `Покупатель ${n}`)));
    const chats = await Promise.all(buyers.map((buyer) => chatOf(api, seller, buyer)));
    expect((await subscribe(api, seller.token, hook.url)).status).toBe(200);
    const sent = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const response = await sendText(api, seller, chats[i % 4] as string, `Сообщение ${i}`);
        expect(response.status).toBe(200);
        return response.body.id;
      }),
    );
    expect(new Set(sent).size).toBe(100);
    // Nothing was answered 200: all 100 are unfinished, the head of each chat's stream pending
    // and the rest queued behind it.
    const unfinished = await deliveryLog(api, { user_id: seller.account.user_id, limit: 1000 });
    expect(new Set(unfinished.map((d) => d.message_id))).toEqual(new Set(sent));
    const statuses = unfinished.map((d) => d.status);
    expect(statuses.filter((x) => x === "pending")).toHaveLength(4);
    expect(statuses.filter((x) => x === "queued")).toHaveLength(96);

    server.child.kill("SIGKILL");
    expect((await server.exited).signal).toBe("SIGKILL");
    hook.fallback = 200;
    server = await startServerProcess(dir, ["--no-demo"]);
    api = new TestApi(server.url, adminToken);
    // Past any retry the first steps of the schedule can have set (1 s, 5 s, 30 s, ±20%).
    await api.advanceClock(60);
    const arrived = await waitUntil(
      () => {
        const ids = new Set(deliveriesOf(hook).map((e) => e.payload.value.id));
        return ids.size >= 100 ? ids : undefined;
      },
      10_000,
      "all 100 messages at the receiver",
    );
    expect(arrived).toEqual(new Set(sent));
    for (const envelope of deliveriesOf(hook)) {
      expect(envelope.payload.value.user_id).toBe(seller.account.user_id);
    }
    // Each chat's messages first arrived in the chat's own order.
    for (const chatId of chats) {
      const history = await chatHistory(api, seller, chatId);
      const firstArrivals = [
        ...new Set(
          deliveriesOf(hook)
            .filter((e) => e.payload.value.chat_id === chatId)
            .map((e) => e.payload.value.id),
        ),
      ];
      expect(firstArrivals).toEqual(history);
    }
    const delivered = await waitUntil(
      async () => {
        const log = await deliveryLog(api, {
          user_id: seller.account.user_id,
          status: "delivered",
          limit: 1000,
        });
        return log.length === 100 ? log : undefined;
      },
      5000,
      "100 deliveries logged as delivered",
    );
    expect(new Set(delivered.map((d) => d.message_id))).toEqual(new Set(sent));
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}, 20_000);

describe("on one server", () => {
  let server: TestServer;
  let api: TestApi;

  beforeAll(async () => {
    server = await startTestServer();
    api = new TestApi(server.url, server.adminToken);
  });
  afterAll(() => server.stop());

  test("a hung receiver holds back only its own stream", async () => {
    const hookA = await receiver("hang");
    const hookB = await receiver(200);
    const a = await subscribedSeller(api, hookA);
    const b = await subscribedSeller(api, hookB);

    const sentA: string[] = [];
    for (let i = 1; i <= 5; i++)
      sentA.push((await api.text(a.chatId, a.buyer.account.user_id, `A${i}`)).id);
    const [, firstA] = await hookA.waitFor(2);
    if (!firstA) throw new Error("no attempt at A");
    const startedB = performance.now();
    const sentB: string[] = [];
    for (let i = 1; i <= 5; i++)
      sentB.push((await api.text(b.chatId, b.buyer.account.user_id, `B${i}`)).id);
    const arrivedB = (await hookB.waitFor(6, { timeoutMs: 1500 })).slice(1);
    expect(arrivedB.map((r) => envelopeOf(r).payload.value.id)).toEqual(sentB);
    const lastB = Math.max(...arrivedB.map((r) => r.at));
    expect(lastB - startedB).toBeLessThan(1500);
    // …before A's first attempt was cut, and A got nothing but its first message meanwhile.
    expect(lastB).toBeLessThan(firstA.at + 2000);
    expect(hookA.received).toHaveLength(2);
    expect(envelopeOf(firstA).payload.value.id).toBe(sentA[0]);

    // A's first attempt is cut at 2 s; its later messages wait behind it, unattempted.
    const cut = await waitUntil(
      async () => {
        const d = await deliveryOf(api, a.userId, sentA[0] as string);
        return d?.attempts[0];
      },
      3500,
      "A's first attempt cut",
    );
    expect(cut).toMatchObject({
      number: 1,
      status: null,
      error: expect.stringMatching(/within 2 s/),
    });
    expect(cut.duration_ms).toBeGreaterThanOrEqual(1900);
    expect(cut.duration_ms).toBeLessThan(3000);
    for (const id of sentA.slice(1)) {
      expect(await deliveryOf(api, a.userId, id)).toMatchObject({
        status: "queued",
        attempts: [],
      });
    }
    expect((await unsubscribe(api, a.seller.token, hookA.url)).status).toBe(200);
  });

  test("within a chat nothing overtakes a message being retried; 200s come in order", async () => {
    const hook = await receiver(200);
    const { buyer, chatId, userId } = await subscribedSeller(api, hook);
    hook.script.push(500, 500);
    const sent: string[] = [];
    for (const text of ["Раз", "Два", "Три"])
      sent.push((await api.text(chatId, buyer.account.user_id, text)).id);
    const first = sent[0] as string;
    for (const attempts of [1, 2]) {
      const d = await afterAttempts(api, userId, first, attempts);
      expect(d.status).toBe("pending");
      await api.advanceClock(10); // past the first two waits (1 s and 5 s, ±20%)
    }
    await waitUntil(
      async () => {
        const log = await deliveryLog(api, { user_id: userId, status: "delivered" });
        return log.length === 3;
      },
      5000,
      "three delivered",
    );
    // The requests, in arrival order, with what each was answered (the script, then 200s).
    const answers = [500, 500, 200, 200, 200];
    const order = deliveriesOf(hook).map((e, i) => [e.payload.value.id, answers[i]]);
    expect(order).toEqual([
      [first, 500],
      [first, 500],
      [first, 200],
      [sent[1], 200],
      [sent[2], 200],
    ]);
    // The log agrees: message 2 was first tried only once message 1's 200 had been received.
    const one = await deliveryOf(api, userId, first);
    const two = await deliveryOf(api, userId, sent[1] as string);
    const answered = one?.attempts.at(-1);
    const tried = two?.attempts[0];
    if (!answered || !tried) throw new Error("attempts missing");
    expect(one?.attempts.map((x) => x.status)).toEqual([500, 500, 200]);
    expect(ms(tried.at)).toBeGreaterThanOrEqual(ms(answered.at) + answered.duration_ms - 1);
  });

  test("a burst into one chat arrives whole and in the chat's order, one request at a time", async () => {
    const hook = await receiver({ status: 200, delayMs: 2 });
    const { seller, buyer, chatId } = await subscribedSeller(api, hook);
    // Written concurrently: the chat's order is the order in which they were committed.
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) => api.text(chatId, buyer.account.user_id, `Пачка ${i}`)),
    );
    await hook.waitFor(1 + sent.length);
    await pause(100);
    const arrived = deliveriesOf(hook).map((e) => e.payload.value.id);
    expect(arrived).toEqual(await chatHistory(api, seller, chatId));
    expect(new Set(arrived)).toEqual(new Set(sent.map((m) => m.id)));
    expect(hook.maxUnanswered).toBe(1);
  });

  test("under a load into many chats, each message is delivered once: no look sends again what was just delivered", async () => {
    const hook = await receiver({ status: 200, delayMs: 1 });
    const { seller, buyer, chatId } = await subscribedSeller(api, hook);
    const chats = [{ chatId, buyerId: buyer.account.user_id }];
    for (let i = 1; i < 20; i++) {
      const other = await party(api, `Покупатель ${i}`);
      chats.push({ chatId: await chatOf(api, seller, other), buyerId: other.account.user_id });
    }
    // Long enough for the dispatcher's looks (each second on PostgreSQL) to run among the flushes.
    const sent = (
      await Promise.all(
        chats.map(async ({ chatId: chat, buyerId }) => {
          const ids: string[] = [];
          for (let n = 0; n < 25; n++) ids.push((await api.text(chat, buyerId, `№${n}`)).id);
          return ids;
        }),
      )
    ).flat();
    await hook.waitFor(1 + sent.length, { timeoutMs: 20_000 });
    await pause(2_500);
    const arrived = deliveriesOf(hook).map((e) => e.payload.value.id);
    expect(arrived.length - new Set(arrived).size).toBe(0);
    expect(new Set(arrived)).toEqual(new Set(sent));
  }, 40_000);

  test("a 200 that lands after unsubscribing sends nothing more of its chat", async () => {
    const hook = await receiver({ status: 200, delayMs: 800 });
    const { seller, buyer, chatId, userId } = await subscribedSeller(api, hook);
    const sent: string[] = [];
    for (const text of ["Первое", "Второе", "Третье"])
      sent.push((await api.text(chatId, buyer.account.user_id, text)).id);
    await hook.waitFor(2); // the probe, and the first message, whose 200 is held back 800 ms
    expect((await unsubscribe(api, seller.token, hook.url)).status).toBe(200);
    await pause(1100);
    expect(deliveriesOf(hook).map((e) => e.payload.value.id)).toEqual([sent[0]]);
    const log = await deliveryLog(api, { user_id: userId });
    expect(log.map((d) => [d.message_id, d.status, d.attempts.map((a) => a.status)])).toEqual([
      [sent[2], "cancelled", []],
      [sent[1], "cancelled", []],
      [sent[0], "cancelled", [200]],
    ]);
  });

  test("each subscribed participant gets its own delivery; a deletion is an event for both", async () => {
    const sellerHook = await receiver(200);
    const buyerHook = await receiver(200);
    const { seller, buyer, chatId } = await subscribedSeller(api, sellerHook);
    expect((await subscribe(api, buyer.token, buyerHook.url)).status).toBe(200);
    const sent = await sendText(api, seller, chatId, "Кому доставить?");
    expect(sent.status).toBe(200);
    const [, toSeller] = await sellerHook.waitFor(2);
    const [, toBuyer] = await buyerHook.waitFor(2);
    if (!toSeller || !toBuyer) throw new Error("missing delivery");
    const s = envelopeOf(toSeller);
    const b = envelopeOf(toBuyer);
    expect(s.payload.value).toMatchObject({
      id: sent.body.id,
      user_id: seller.account.user_id,
      author_id: seller.account.user_id,
      type: "text",
      content: { text: "Кому доставить?" },
    });
    expect(b.payload.value).toMatchObject({
      id: sent.body.id,
      user_id: buyer.account.user_id,
      author_id: seller.account.user_id,
      type: "text",
    });
    expect(s.id).not.toBe(b.id);

    const removed = await api.call("deleteMessage", {
      token: seller.token,
      params: { user_id: seller.account.user_id, chat_id: chatId, message_id: sent.body.id },
    });
    expect(removed.status).toBe(200);
    const [, , deletedForSeller] = await sellerHook.waitFor(3);
    const [, , deletedForBuyer] = await buyerHook.waitFor(3);
    if (!deletedForSeller || !deletedForBuyer) throw new Error("missing deletion event");
    const ds = envelopeOf(deletedForSeller);
    const db = envelopeOf(deletedForBuyer);
    for (const [event, userId] of [
      [ds, seller.account.user_id],
      [db, buyer.account.user_id],
    ] as const) {
      expect(event.payload.value).toMatchObject({
        id: sent.body.id,
        user_id: userId,
        author_id: seller.account.user_id,
        type: "deleted",
        content: {},
      });
      expect(event.payload.value.content).toEqual({});
    }
    expect(new Set([s.id, b.id, ds.id, db.id]).size).toBe(4);

    // Deleting it again changes nothing and is no event: the next delivery is the next message.
    expect(
      (
        await api.call("deleteMessage", {
          token: seller.token,
          params: { user_id: seller.account.user_id, chat_id: chatId, message_id: sent.body.id },
        })
      ).status,
    ).toBe(200);
    const next = await sendText(api, seller, chatId, "Следующее");
    const [, , , after] = await sellerHook.waitFor(4);
    if (!after) throw new Error("missing delivery");
    expect(envelopeOf(after).payload.value.id).toBe(next.body.id);
  });

  test("the delivery log: newest first, attempts with a 4 KB excerpt, status, chat and message filters, redelivery", async () => {
    const hook = await receiver(200);
    const { seller, buyer, chatId, userId } = await subscribedSeller(api, hook);
    hook.script.push(
      { status: 500, body: "x".repeat(10 * 1024) },
      // Three-byte characters: 4096 is not a character boundary.
      { status: 500, body: "€".repeat(4000) },
    );
    const first = await api.text(chatId, buyer.account.user_id, "Первое");
    for (const attempts of [1, 2]) {
      await afterAttempts(api, userId, first.id, attempts);
      await api.advanceClock(10);
    }
    await waitUntil(
      async () => (await deliveryOf(api, userId, first.id))?.status === "delivered",
      5000,
      "first delivered",
    );

    // A second chat whose delivery keeps failing, so that the log holds two statuses.
    hook.fallback = 500;
    const otherChat = await chatOf(api, seller, await party(api, "Второй покупатель"));
    const second = await api.text(otherChat, seller.account.user_id, "Второе");
    await afterAttempts(api, userId, second.id, 1);

    const all = await deliveryLog(api, { user_id: userId });
    expect(all.map((d) => d.message_id)).toEqual([second.id, first.id]);
    const [pendingOne, deliveredOne] = all;
    if (!pendingOne || !deliveredOne) throw new Error("log incomplete");
    expect(pendingOne).toMatchObject({ user_id: userId, chat_id: otherChat, status: "pending" });
    expect(pendingOne.next_attempt).toEqual(expect.any(String));
    expect(pendingOne.finished).toBeNull();
    expect(deliveredOne).toMatchObject({ user_id: userId, chat_id: chatId, status: "delivered" });
    expect(deliveredOne.next_attempt).toBeNull();
    expect(deliveredOne.finished).toEqual(expect.any(String));
    assertMatches("WebhookEnvelope", schemaOf("WebhookEnvelope"), deliveredOne.body);
    const [tooLong, cutInside, ok] = deliveredOne.attempts;
    if (!tooLong || !cutInside || !ok) throw new Error(JSON.stringify(deliveredOne.attempts));
    expect(deliveredOne.attempts.map((a) => [a.number, a.status, a.error])).toEqual([
      [1, 500, null],
      [2, 500, null],
      [3, 200, null],
    ]);
    for (const attempt of deliveredOne.attempts) {
      expect(attempt.url).toBe(hook.url);
      expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);
      expect(attempt.duration_ms).toBeLessThan(2000);
      expect(ms(attempt.at)).toBeGreaterThanOrEqual(ms(deliveredOne.created));
    }
    expect(tooLong.response).toBe("x".repeat(4096));
    expect(Buffer.byteLength(cutInside.response ?? "")).toBeLessThanOrEqual(4096);
    expect(cutInside.response).toMatch(/^€+$/);
    expect(ok.response).toBe("");

    // The filters.
    const ids = async (query: {
      status?: string;
      chat_id?: string;
      message_id?: string;
      limit?: number;
    }) => (await deliveryLog(api, { user_id: userId, ...query })).map((d) => d.message_id);
    expect(await ids({ status: "delivered" })).toEqual([first.id]);
    expect(await ids({ status: "pending" })).toEqual([second.id]);
    expect(await ids({ status: "failed" })).toEqual([]);
    expect(await ids({ limit: 1 })).toEqual([second.id]);
    // One message's delivery, or one chat's, however many are newer (limit 1 shows the newest).
    expect(await ids({ message_id: first.id, limit: 1 })).toEqual([first.id]);
    expect(await ids({ chat_id: chatId, limit: 1 })).toEqual([first.id]);
    expect(await ids({ chat_id: otherChat })).toEqual([second.id]);
    expect(await ids({ chat_id: otherChat, message_id: first.id })).toEqual([]);
    expect(await ids({ message_id: "no-such-message" })).toEqual([]);
    expect(
      (await deliveryLog(api, { message_id: second.id })).map((d) => [d.user_id, d.message_id]),
    ).toEqual([[userId, second.id]]);
    for (const [query, field] of [
      ["status=lost", "status"],
      ["message_id=", "message_id"],
      [`message_id=${"9".repeat(101)}`, "message_id"],
      ["chat_id=", "chat_id"],
      [`chat_id=${"9".repeat(101)}`, "chat_id"],
    ] as const) {
      const response = await api.sandbox("GET", `/webhooks/deliveries?${query}`);
      expect(response.status, query).toBe(400);
      assertErrorEnvelope(400, response.body);
      expect(response.text, query).toContain(field);
    }
    expect((await api.request("GET", "/sandbox/v1/webhooks/deliveries")).status).toBe(401);

    // Redelivery of the delivered one: the same envelope, byte for byte.
    hook.fallback = 200;
    const before = hook.received.length;
    const original = hook.received
      .filter((r) => r.body !== "{}" && envelopeOf(r).payload.value.id === first.id)
      .at(-1);
    const again = await api.sandbox<{ id: string; status: string }>(
      "POST",
      `/webhooks/deliveries/${deliveredOne.id}/redeliver`,
    );
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: deliveredOne.id, status: "pending" });
    const resent = await waitUntil(
      () => hook.received.slice(before).find((r) => envelopeOf(r).payload.value.id === first.id),
      3000,
      "the redelivery",
    );
    expect(resent.body).toBe(original?.body);
    expect(envelopeOf(resent).id).toBe(deliveredOne.id);
    const redelivered = await waitUntil(
      async () => {
        const d = await deliveryOf(api, userId, first.id);
        return d?.status === "delivered" && d.attempts.length === 4 ? d : undefined;
      },
      3000,
      "redelivery logged",
    );
    expect(redelivered.attempts.at(-1)).toMatchObject({ number: 4, status: 200 });

    const unknown = await api.sandbox(
      "POST",
      "/webhooks/deliveries/00000000-0000-4000-8000-000000000000/redeliver",
    );
    expect(unknown.status).toBe(404);
    assertErrorEnvelope(404, unknown.body);
    const malformed = await api.sandbox("POST", "/webhooks/deliveries/not-a-uuid/redeliver");
    expect(malformed.status).toBe(400);
  });

  test("a redelivery behind a busy stream takes its place by event order", async () => {
    const hook = await receiver(200);
    const { buyer, chatId, userId } = await subscribedSeller(api, hook);
    const old = await api.text(chatId, buyer.account.user_id, "Старое");
    await hook.waitFor(2);
    const delivery = await waitUntil(
      async () => {
        const d = await deliveryOf(api, userId, old.id);
        return d?.status === "delivered" ? d : undefined;
      },
      3000,
      "the old message delivered",
    );
    // The next head's 200 is held back while two more queue up behind it, then the old one is
    // redelivered: it was written first, so it goes next.
    hook.script.push({ status: 200, delayMs: 800 });
    const sent: string[] = [];
    for (const text of ["Голова", "Первое", "Второе"])
      sent.push((await api.text(chatId, buyer.account.user_id, text)).id);
    await hook.waitFor(3);
    const again = await api.sandbox<{ status: string }>(
      "POST",
      `/webhooks/deliveries/${delivery.id}/redeliver`,
    );
    expect(again.body.status).toBe("queued");
    await hook.waitFor(6);
    await pause(100);
    expect(deliveriesOf(hook).map((e) => e.payload.value.id)).toEqual([
      old.id,
      sent[0],
      old.id,
      sent[1],
      sent[2],
    ]);
  });

  test("Retry-After is honoured", async () => {
    const hook = await receiver(200);
    const { buyer, chatId, userId } = await subscribedSeller(api, hook);
    hook.script.push({ status: 503, headers: { "retry-after": "120" } });
    const sent = await api.text(chatId, buyer.account.user_id, "Занят?");
    const first = await afterAttempts(api, userId, sent.id, 1);
    const attempt = first.attempts[0] as AttemptView;
    expect(first.status).toBe("pending");
    expect(attempt.status).toBe(503);
    expect(ms(first.next_attempt ?? "")).toBeGreaterThanOrEqual(ms(attempt.at) + 120_000);
    await api.advanceClock(10);
    await pause(300);
    expect(hook.received).toHaveLength(2);
    await api.advanceClock(120);
    await hook.waitFor(3, { timeoutMs: 3000 });
    await waitUntil(
      async () => (await deliveryOf(api, userId, sent.id))?.status === "delivered",
      3000,
      "delivered after Retry-After",
    );
  });

  test("a redirect is not followed: the attempt fails with 302 and the target gets nothing", async () => {
    const target = await receiver(200, false);
    const hook = await receiver(200);
    const { buyer, chatId, userId } = await subscribedSeller(api, hook);
    hook.script.push({ status: 302, headers: { location: target.url } });
    const sent = await api.text(chatId, buyer.account.user_id, "Куда?");
    const first = await afterAttempts(api, userId, sent.id, 1);
    expect(first.status).toBe("pending");
    expect(first.attempts[0]).toMatchObject({ status: 302, error: null });
    await api.advanceClock(10);
    await waitUntil(
      async () => (await deliveryOf(api, userId, sent.id))?.status === "delivered",
      3000,
      "delivered on the retry",
    );
    expect(hook.received).toHaveLength(3);
    expect(target.received).toHaveLength(0);
  });

  test("unsubscribing cancels what is pending; nothing more is attempted", async () => {
    const hook = await receiver(500);
    const { seller, buyer, chatId, userId } = await subscribedSeller(api, hook);
    const otherChat = await chatOf(api, seller, await party(api, "Второй"));
    const one = await api.text(chatId, buyer.account.user_id, "1");
    const two = await api.text(chatId, buyer.account.user_id, "2");
    const three = await api.text(otherChat, seller.account.user_id, "3");
    await afterAttempts(api, userId, one.id, 1);
    await afterAttempts(api, userId, three.id, 1);
    expect((await unsubscribe(api, seller.token, hook.url)).body).toEqual({ ok: true });
    const log = await deliveryLog(api, { user_id: userId });
    expect(log.map((d) => [d.message_id, d.status])).toEqual([
      [three.id, "cancelled"],
      [two.id, "cancelled"],
      [one.id, "cancelled"],
    ]);
    for (const d of log) {
      expect(d.next_attempt).toBeNull();
      expect(d.finished).toEqual(expect.any(String));
    }
    const attempts = log.map((d) => d.attempts.length);
    const requests = hook.received.length;
    await api.advanceClock(120);
    await pause(300);
    expect(hook.received).toHaveLength(requests);
    const later = await deliveryLog(api, { user_id: userId });
    expect(later.map((d) => d.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    expect(later.map((d) => d.attempts.length)).toEqual(attempts);
    expect(await deliveryLog(api, { user_id: userId, status: "cancelled" })).toHaveLength(3);
  });

  test("an attempt in flight when the account unsubscribes does not bring its delivery back", async () => {
    const hook = await receiver("hang");
    const { seller, buyer, chatId, userId } = await subscribedSeller(api, hook);
    const sent = await api.text(chatId, buyer.account.user_id, "Ждёте?");
    await hook.waitFor(2);
    expect((await unsubscribe(api, seller.token, hook.url)).status).toBe(200);
    expect((await deliveryOf(api, userId, sent.id))?.status).toBe("cancelled");
    // Closing the receiver ends the hung attempt at once.
    await hook.close();
    const after = await afterAttempts(api, userId, sent.id, 1);
    expect(after.status).toBe("cancelled");
    expect(after.attempts[0]?.status).toBeNull();
    await api.advanceClock(120);
    await pause(300);
    const later = await deliveryOf(api, userId, sent.id);
    expect(later?.status).toBe("cancelled");
    expect(later?.attempts).toHaveLength(1);

    // Redelivering it with no subscription left is refused (409) and changes nothing.
    const again = await api.sandbox("POST", `/webhooks/deliveries/${after.id}/redeliver`);
    expect(again.status).toBe(409);
    const settled = await deliveryOf(api, userId, sent.id);
    expect(settled?.status).toBe("cancelled");
    expect(settled?.attempts).toHaveLength(1);
  });
});

test("give-up: a delivery never answered 200 fails once no retry fits, and is not tried again", async () => {
  const server = await startTestServer({ webhookRetrySchedule: [1], webhookGiveUpAfter: 5 });
  try {
    const api = new TestApi(server.url, server.adminToken);
    const hook = await receiver(500);
    const { buyer, chatId, userId } = await subscribedSeller(api, hook);
    const sent = await api.text(chatId, buyer.account.user_id, "Есть кто?");
    let delivery: DeliveryView | undefined;
    for (let attempts = 1; attempts <= 6; attempts++) {
      delivery = await afterAttempts(api, userId, sent.id, attempts);
      if (delivery.status !== "pending") break;
      // Still pending: its next try falls within the give-up time.
      expect(ms(delivery.next_attempt ?? "") - ms(delivery.created)).toBeLessThanOrEqual(5000);
      await api.advanceClock(2);
    }
    if (!delivery) throw new Error("no delivery");
    expect(delivery.status).toBe("failed");
    expect(delivery.next_attempt).toBeNull();
    expect(delivery.finished).toEqual(expect.any(String));
    expect(delivery.attempts.length).toBeGreaterThanOrEqual(3);
    expect(delivery.attempts.every((a) => a.status === 500)).toBe(true);
    // Failed only once a retry (at most 1.2 s later) could no longer fit in the 5 s.
    const last = delivery.attempts.at(-1) as AttemptView;
    expect(ms(last.at) + last.duration_ms + 1200 + 5 - ms(delivery.created)).toBeGreaterThan(5000);

    const requests = hook.received.length;
    await api.advanceClock(3600);
    await pause(300);
    expect(hook.received).toHaveLength(requests);
    const later = await deliveryOf(api, userId, sent.id);
    expect(later?.status).toBe("failed");
    expect(later?.attempts).toHaveLength(delivery.attempts.length);
    expect(await deliveryLog(api, { user_id: userId, status: "failed" })).toHaveLength(1);
  } finally {
    await server.stop();
  }
});

test("production mode refuses loopback, private and metadata addresses before connecting", async () => {
  const server = await startTestServer({ webhookMode: "production" });
  try {
    const api = new TestApi(server.url, server.adminToken);
    const hook = await receiver(200, false);
    const port = new URL(hook.url).port;
    const account = await party(api, "Осторожный");
    const refused = [
      `http://127.0.0.1:${port}/x`,
      `http://localhost:${port}/x`,
      `http://[::1]:${port}/x`,
      `http://[::ffff:127.0.0.1]:${port}/x`,
      `http://2130706433:${port}/x`,
      `http://0.0.0.0:${port}/x`,
      "http://169.254.169.254/latest/meta-data",
      "http://10.0.0.1/hook",
      "ftp://127.0.0.1/hook",
      "not a url",
    ];
    for (const url of refused) {
      const response: ApiResponse<{ ok?: boolean } & ErrorBody> = await subscribe(
        api,
        account.token,
        url,
      );
      expect(response.status, url).toBe(400);
      const why = response.body.error?.fields?.url ?? "";
      // Refused on the address itself, not after a probe was tried.
      expect(why, url).toMatch(/public address|http or https|absolute/);
      expect(why, url).not.toMatch(/probe/);
    }
    const listed = await api.call<{ subscriptions: unknown[] }>("getSubscriptions", {
      token: account.token,
      params: {},
    });
    expect(listed.body).toEqual({ subscriptions: [] });
    expect(hook.received).toHaveLength(0);
  } finally {
    await server.stop();
  }
});
