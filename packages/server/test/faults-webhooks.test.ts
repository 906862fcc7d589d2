// Fault rules on webhook deliveries ("operation":"webhook"), seen by a real receiver: a status
// keeps the account's deliveries from reaching it (other accounts are served) until the rule is
// removed, then the retries arrive; a drop after the POST makes the receiver get the same body
// twice; a drop before sends nothing for that attempt; latency delays the POST; "*" leaves
// deliveries alone; every attempt a rule decided is marked in the delivery log. And the rules,
// with their counts, survive a restart: the store is their truth.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { FaultRuleView } from "../src/domain/sandbox/faults-rules.ts";
import { TestApi } from "./helpers/api.ts";
import { type Receiver, startReceiver } from "./helpers/receiver.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

/** A rule as the sandbox answers it. */
type Rule = FaultRuleView;

interface LoggedAttempt {
  number: number;
  status: number | null;
  error: string | null;
  fault: string | null;
}

interface LoggedDelivery {
  id: string;
  message_id: string;
  status: string;
  attempts: LoggedAttempt[];
}

let server: TestServer;
let api: TestApi;
let w: World;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // One second between retries (the clock is advanced past it rather than waited for).
  server = await startTestServer({ webhookRetrySchedule: [1] });
  api = new TestApi(server.url, server.adminToken);
  w = await makeWorld(api);
});
afterEach(async () => {
  expect((await api.sandbox("DELETE", "/faults")).status).toBe(200);
});
afterAll(async () => {
  await server.stop();
  for (const r of receivers) await r.close();
});

async function addFault(rule: Record<string, unknown>): Promise<Rule> {
  const response = await api.sandbox<Rule>("POST", "/faults", rule);
  if (response.status !== 201)
    throw new Error(`POST /faults answered ${response.status}: ${response.text}`);
  return response.body;
}

/** A fresh seller with a chat with the world's buyer, subscribed to a new receiver. */
async function subscribedSeller(name: string) {
  const seller = await api.createAccount(name);
  const { item_id: itemId } = await api.createItem(seller.user_id, "Самокат");
  const { chat_id: chatId } = await api.openChat({
    type: "u2i",
    item_id: itemId,
    user_id: w.buyer.user_id,
  });
  const token = await api.token(seller);
  const hook = await startReceiver(200);
  receivers.push(hook);
  const subscribed = await api.call("postWebhookV3", {
    token,
    params: {},
    json: { url: hook.url },
  });
  expect(subscribed.status).toBe(200);
  return { seller, chatId, token, hook };
}

/** Requests the receiver got carrying this text (the probe and other messages left out). */
function carrying(hook: Receiver, text: string) {
  return hook.received.filter((r) => r.body.includes(text));
}

/** The delivery of the message with this id, as the log shows it. */
async function delivery(userId: number, messageId: string): Promise<LoggedDelivery | undefined> {
  const log = await api.sandbox<{ deliveries: LoggedDelivery[] }>(
    "GET",
    `/webhooks/deliveries?user_id=${userId}`,
  );
  return log.body.deliveries.find((d) => d.message_id === messageId);
}

/** Polls the log until `check` holds for the delivery (5 s at most). */
async function deliveryWhen(
  userId: number,
  messageId: string,
  check: (d: LoggedDelivery) => boolean,
): Promise<LoggedDelivery> {
  for (let i = 0; i < 250; i++) {
    const found = await delivery(userId, messageId);
    if (found && check(found)) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`delivery of ${messageId}: ${JSON.stringify(await delivery(userId, messageId))}`);
}

/** Makes the pending retries due now. */
async function nextRetry(): Promise<void> {
  await api.advanceClock(2);
}

describe("webhook faults", () => {
  test("status: nothing reaches the receiver until the rule is removed; then the retries arrive", async () => {
    const faulty = await subscribedSeller("Продавец без вебхуков");
    const healthy = await subscribedSeller("Продавец с вебхуками");
    const rule = await addFault({
      operation: "webhook",
      user_id: faulty.seller.user_id,
      status: 500,
    });
    const lost = await api.text(faulty.chatId, w.buyer.user_id, "не доставлено");
    await api.text(healthy.chatId, w.buyer.user_id, "доставлено");
    await healthy.hook.waitFor(1, { filter: (r) => r.body.includes("доставлено") });

    await deliveryWhen(faulty.seller.user_id, lost.id, (d) => d.attempts.length >= 1);
    await nextRetry();
    const failing = await deliveryWhen(
      faulty.seller.user_id,
      lost.id,
      (d) => d.attempts.length >= 2,
    );
    expect(failing.status).toBe("pending");
    for (const attempt of failing.attempts) {
      expect(attempt).toMatchObject({ status: 500, fault: rule.id });
      expect(attempt.error).toMatch(new RegExp(`injected by fault ${rule.id}`));
    }
    expect(carrying(faulty.hook, "не доставлено")).toHaveLength(0);
    const listed = (await api.sandbox<{ faults: Rule[] }>("GET", "/faults")).body.faults;
    expect(listed[0]?.fired).toBeGreaterThanOrEqual(2);

    expect((await api.sandbox("DELETE", `/faults/${rule.id}`)).status).toBe(200);
    await nextRetry();
    await faulty.hook.waitFor(1, { filter: (r) => r.body.includes("не доставлено") });
    const delivered = await deliveryWhen(
      faulty.seller.user_id,
      lost.id,
      (d) => d.status === "delivered",
    );
    expect(delivered.attempts.at(-1)).toMatchObject({ status: 200, fault: null, error: null });
  });

  test("drop after: the receiver gets the POST, the attempt counts failed, and the retry sends it again", async () => {
    const target = await subscribedSeller("Продавец с дублями");
    const rule = await addFault({
      operation: "webhook",
      user_id: target.seller.user_id,
      chat_id: target.chatId,
      drop: "after",
      times: 1,
    });
    const message = await api.text(target.chatId, w.buyer.user_id, "дважды");
    await target.hook.waitFor(1, { filter: (r) => r.body.includes("дважды") });
    await deliveryWhen(target.seller.user_id, message.id, (d) => d.attempts.length === 1);
    await nextRetry();
    const both = await target.hook.waitFor(2, { filter: (r) => r.body.includes("дважды") });
    expect(both[1]?.body).toBe(both[0]?.body);
    const logged = await deliveryWhen(
      target.seller.user_id,
      message.id,
      (d) => d.status === "delivered",
    );
    expect(logged.attempts[0]).toMatchObject({ number: 1, status: null, fault: rule.id });
    expect(logged.attempts[0]?.error).toMatch(
      /got the POST \(answered 200\).*cut before its answer/,
    );
    expect(logged.attempts[1]).toMatchObject({ number: 2, status: 200, fault: null });
  });

  test("drop before: that attempt sends nothing; the retry delivers once", async () => {
    const target = await subscribedSeller("Продавец с обрывом");
    const rule = await addFault({
      operation: "webhook",
      user_id: target.seller.user_id,
      drop: "before",
      times: 1,
    });
    const message = await api.text(target.chatId, w.buyer.user_id, "однажды");
    const first = await deliveryWhen(
      target.seller.user_id,
      message.id,
      (d) => d.attempts.length === 1,
    );
    expect(first.attempts[0]).toMatchObject({ status: null, fault: rule.id });
    expect(carrying(target.hook, "однажды")).toHaveLength(0);
    await nextRetry();
    await deliveryWhen(target.seller.user_id, message.id, (d) => d.status === "delivered");
    expect(carrying(target.hook, "однажды")).toHaveLength(1);
  });

  test("latency: the POST goes out that much later, marked in the log", async () => {
    const target = await subscribedSeller("Медленный продавец");
    const rule = await addFault({
      operation: "webhook",
      user_id: target.seller.user_id,
      latency_ms: 600,
      times: 1,
    });
    const sentAt = performance.now();
    const message = await api.text(target.chatId, w.buyer.user_id, "не спеша");
    const [arrived] = await target.hook.waitFor(1, { filter: (r) => r.body.includes("не спеша") });
    expect((arrived?.at ?? 0) - sentAt).toBeGreaterThanOrEqual(590);
    const logged = await deliveryWhen(
      target.seller.user_id,
      message.id,
      (d) => d.status === "delivered",
    );
    expect(logged.attempts).toHaveLength(1);
    expect(logged.attempts[0]).toMatchObject({ status: 200, fault: rule.id });
  });

  test('"*" hits the API only: the account\'s deliveries go out', async () => {
    const target = await subscribedSeller("Продавец без API");
    await addFault({ operation: "*", user_id: target.seller.user_id, status: 503 });
    const refused = await api.call("getChatsV2", {
      token: target.token,
      params: { user_id: target.seller.user_id },
    });
    expect(refused.status).toBe(503);
    const message = await api.text(target.chatId, w.buyer.user_id, "всё равно дойдёт");
    await target.hook.waitFor(1, { filter: (r) => r.body.includes("всё равно дойдёт") });
    const logged = await deliveryWhen(
      target.seller.user_id,
      message.id,
      (d) => d.status === "delivered",
    );
    expect(logged.attempts[0]?.fault).toBeNull();
  });
});

describe("restarts", () => {
  test("rules and their counts survive a restart, and go on from there", async () => {
    const first = await startTestServer();
    const firstApi = new TestApi(first.url, first.adminToken);
    const world = await makeWorld(firstApi);
    const added = await firstApi.sandbox<Rule>("POST", "/faults", {
      operation: "getChatsV2",
      user_id: world.seller.user_id,
      status: 500,
      times: 3,
    });
    expect(added.status).toBe(201);
    const getChats = (on: TestApi) =>
      on.call("getChatsV2", {
        token: world.sellerToken,
        params: { user_id: world.seller.user_id },
      });
    expect((await getChats(firstApi)).status).toBe(500);
    await first.close();

    const again = await startTestServer({ dataDir: first.dataDir });
    try {
      const againApi = new TestApi(again.url, again.adminToken);
      const listed = await againApi.sandbox<{ faults: Rule[] }>("GET", "/faults");
      expect(listed.body.faults).toEqual([
        expect.objectContaining({ id: added.body.id, fired: 1, matched: 1, spent: false }),
      ]);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await getChats(againApi)).status);
      expect(statuses).toEqual([500, 500, 200]);
      const after = await againApi.sandbox<{ faults: Rule[] }>("GET", "/faults");
      expect(after.body.faults[0]).toMatchObject({ fired: 3, spent: true });
    } finally {
      await again.stop();
    }
  });
});
