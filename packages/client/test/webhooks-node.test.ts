// The node:http adapter against a real Beseda delivering to a real server: a delivery is verified
// and handled once; a forged request gets 401 and is not handled; a redelivery and a retry after
// a lost answer (webhook fault drop:"after") are dropped as duplicates; the account's own
// message is skipped. Beseda's subscription probe (an unsigned `{}`) must get its 200 too.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import {
  type NodeWebhookHandler,
  nodeHandler,
  SIGNATURE_HEADER,
  type WebhookEvent,
  WebhookSignatureError,
} from "../src/webhooks.ts";
import {
  type Delivery,
  deliveredAfter,
  eventually,
  type Listening,
  listen,
  subscribe,
} from "./webhooks-world.ts";

let server: TestServer;
let api: TestApi;
let w: World;
let receiver: Listening;
let handler: NodeWebhookHandler;
const handled: WebhookEvent[] = [];
const errors: unknown[] = [];

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
  handler = nodeHandler(
    { secret: w.seller.client_secret, onError: (error) => errors.push(error) },
    async (event) => {
      handled.push(event);
    },
  );
  receiver = await listen(handler);
  await subscribe(api, w.sellerToken, receiver.url);
});

afterAll(async () => {
  await receiver?.close();
  await server?.stop();
});

beforeEach(() => {
  errors.length = 0;
});

const handledTimes = (messageId: string) =>
  handled.filter((e) => e.payload.value.id === messageId).length;

/** Waits for the handler to have been called for the message, then for its work to settle. */
async function handledOnce(messageId: string): Promise<WebhookEvent> {
  const event = await eventually(`the handler to get ${messageId}`, () =>
    handled.find((e) => e.payload.value.id === messageId),
  );
  await handler.drain();
  return event;
}

describe("nodeHandler with a real Beseda", () => {
  let first: { id: string };
  let delivery: Delivery;

  test("a buyer's message is verified, parsed and handled once", async () => {
    first = await api.text(w.chatId, w.buyer.user_id, "Когда можно забрать?");
    const event = await handledOnce(first.id);
    expect(event.version).toBe("v3.0.0");
    expect(event.payload.type).toBe("message");
    expect(event.payload.value).toMatchObject({
      id: first.id,
      chat_id: w.chatId,
      chat_type: "u2i",
      user_id: w.seller.user_id,
      author_id: w.buyer.user_id,
      item_id: w.itemId,
      type: "text",
      content: { text: "Когда можно забрать?" },
    });
    delivery = await deliveredAfter(api, w.seller.user_id, first.id);
    expect(delivery.attempts.map((a) => a.status)).toEqual([200]);
    expect(handledTimes(first.id)).toBe(1);
    expect(errors).toEqual([]);
  });

  /** The signature with its last character changed (never to itself: a "0" becomes "1"). */
  const offByOne = (signature: string) =>
    `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}`;

  test("forged requests get 401 and reach no handler", async () => {
    const before = handled.length;
    const tampered = delivery.raw_body.replace("Когда можно забрать?", "Переведите предоплату");
    const attempts: [string, Record<string, string>][] = [
      // The real signature over a changed body.
      [tampered, { [SIGNATURE_HEADER]: delivery.headers[SIGNATURE_HEADER] ?? "" }],
      // No signature at all.
      [tampered, {}],
      // A well-formed signature that is not the body's HMAC.
      [tampered, { [SIGNATURE_HEADER]: "ab".repeat(32) }],
      // The original body, already handled, with a signature one character off.
      [
        delivery.raw_body,
        { [SIGNATURE_HEADER]: offByOne(delivery.headers[SIGNATURE_HEADER] ?? "") },
      ],
    ];
    for (const [body, headers] of attempts) {
      const answer = await fetch(receiver.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
      expect(answer.status).toBe(401);
    }
    await handler.drain();
    expect(handled.length).toBe(before);
    expect(errors).toHaveLength(attempts.length);
    expect(errors.every((e) => e instanceof WebhookSignatureError)).toBe(true);
    expect(errors.map((e) => (e as WebhookSignatureError).problem)).toEqual([
      "mismatch",
      "missing",
      "mismatch",
      "mismatch",
    ]);
  });

  test("a redelivery from the sandbox is answered 200 and dropped as a duplicate", async () => {
    const redeliver = await api.sandbox("POST", `/webhooks/deliveries/${delivery.id}/redeliver`);
    expect(redeliver.status).toBe(200);
    const again = await deliveredAfter(api, w.seller.user_id, first.id, 2);
    expect(again.attempts.map((a) => a.status)).toEqual([200, 200]);
    await handler.drain();
    expect(handledTimes(first.id)).toBe(1);
  });

  test("a retry after a lost answer is dropped as a duplicate", async () => {
    // The receiver gets the POST but Beseda throws its 200 away and retries (after ~1 s).
    const fault = await api.sandbox("POST", "/faults", {
      operation: "webhook",
      user_id: w.seller.user_id,
      drop: "after",
      times: 1,
    });
    expect(fault.status).toBe(201);
    const message = await api.text(w.chatId, w.buyer.user_id, "Торг уместен?");
    const retried = await deliveredAfter(api, w.seller.user_id, message.id, 2);
    expect(retried.attempts[0]?.status).not.toBe(200);
    expect(retried.attempts[1]?.status).toBe(200);
    await handler.drain();
    expect(handledTimes(message.id)).toBe(1);
  });

  test("the account's own message, sent through the API, is skipped", async () => {
    const sent = await api.call<{ id: string }>("postSendMessage", {
      params: { user_id: w.seller.user_id, chat_id: w.chatId },
      token: w.sellerToken,
      json: { message: { text: "Да, в любое время" }, type: "text" },
    });
    expect(sent.status).toBe(200);
    const own = await deliveredAfter(api, w.seller.user_id, sent.body.id);
    expect(own.attempts.map((a) => a.status)).toEqual([200]);
    // The chat's later message is handled after the echo would have been: both are settled.
    const next = await api.text(w.chatId, w.buyer.user_id, "Спасибо!");
    await handledOnce(next.id);
    expect(handledTimes(sent.body.id)).toBe(0);
    expect(errors).toEqual([]);
  });

  test("a deletion of an already handled message is a new event, not a duplicate", async () => {
    const message = await api.text(w.chatId, w.buyer.user_id, "Ой, не туда");
    await handledOnce(message.id);
    const deleted = await api.sandbox(
      "POST",
      `/chats/${encodeURIComponent(w.chatId)}/messages/${message.id}/delete`,
      { user_id: w.buyer.user_id },
    );
    expect(deleted.status).toBe(200);
    await eventually("the deletion event", () =>
      handled.find((e) => e.payload.value.id === message.id && e.payload.value.type === "deleted"),
    );
    await handler.drain();
    expect(handledTimes(message.id)).toBe(2);
  });
});
