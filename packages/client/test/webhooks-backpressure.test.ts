// The receiver's limits against a real Beseda delivering to a real server. A handler that hangs
// is given up after handlerTimeoutMs: its signal aborts, onError hears of it, the chat's next
// event runs, and the event is forgotten so a redelivery is handled. Past maxPendingPerChat or
// maxPending an event gets 503 and is not marked seen, so Beseda's retry (as Avito's) is
// handled once there is room. Beseda retries after 0.3 s here instead of its default 1 s.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import {
  type NodeWebhookHandler,
  nodeHandler,
  type WebhookEvent,
  WebhookHandlerTimeoutError,
  WebhookOverloadError,
} from "../src/webhooks.ts";
import { deliveredAfter, eventually, type Listening, listen, subscribe } from "./webhooks-world.ts";

let server: TestServer;
let api: TestApi;
let w: World;
let receiver: Listening;
/** Each test puts its own handler behind the one subscribed URL. */
let current: NodeWebhookHandler;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld({ webhookRetrySchedule: [0.3] }));
  current = nodeHandler({ secret: w.seller.client_secret }, () => {});
  receiver = await listen((request, response) => current(request, response));
  await subscribe(api, w.sellerToken, receiver.url);
});

afterAll(async () => {
  await receiver?.close();
  await server?.stop();
});

const idOf = (event: WebhookEvent | undefined) => event?.payload.value.id;

/** A promise the test resolves when it wants to. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

test("a hung handler is given up after handlerTimeoutMs, and its chat moves on", async () => {
  const errors: [unknown, WebhookEvent | undefined][] = [];
  const started: string[] = [];
  const aborted: unknown[] = [];
  let hang = true;
  current = nodeHandler(
    {
      secret: w.seller.client_secret,
      handlerTimeoutMs: 300,
      onError: (error, event) => errors.push([error, event]),
    },
    (event, { signal }) => {
      started.push(event.payload.value.id);
      if (!hang) return;
      hang = false;
      signal.addEventListener("abort", () => aborted.push(signal.reason));
      // Never settles, like a fetch without a timeout.
      return new Promise<void>(() => {});
    },
  );
  const first = await api.text(w.chatId, w.buyer.user_id, "Вы здесь?");
  const second = await api.text(w.chatId, w.buyer.user_id, "Ау");
  // The second event of the chat runs once the first is given up.
  await eventually("the chat's next event", () => (started.includes(second.id) ? true : undefined));
  await current.drain();
  expect(started).toEqual([first.id, second.id]);
  expect(errors).toHaveLength(1);
  const [error, event] = errors[0] ?? [];
  expect(error).toBeInstanceOf(WebhookHandlerTimeoutError);
  expect((error as WebhookHandlerTimeoutError).timeoutMs).toBe(300);
  expect(idOf(event)).toBe(first.id);
  expect(aborted).toEqual([error]);

  // Forgotten by the deduper: a redelivery of the first event is handled again.
  const delivery = await deliveredAfter(api, w.seller.user_id, first.id);
  const redeliver = await api.sandbox("POST", `/webhooks/deliveries/${delivery.id}/redeliver`);
  expect(redeliver.status).toBe(200);
  await deliveredAfter(api, w.seller.user_id, first.id, 2);
  await current.drain();
  expect(started).toEqual([first.id, second.id, first.id]);
});

test("past maxPendingPerChat an event gets 503, is not marked seen, and its retry is handled", async () => {
  const errors: unknown[] = [];
  const handled: string[] = [];
  const { opened, open } = gate();
  current = nodeHandler(
    { secret: w.seller.client_secret, maxPendingPerChat: 1, onError: (e) => errors.push(e) },
    async (event) => {
      await opened;
      handled.push(event.payload.value.id);
    },
  );
  const first = await api.text(w.chatId, w.buyer.user_id, "Цена окончательная?");
  await deliveredAfter(api, w.seller.user_id, first.id);
  const second = await api.text(w.chatId, w.buyer.user_id, "Торг уместен?");
  // Refused while the first is still being handled, and again on Beseda's retries.
  await eventually("a 503 and a retry", () => (errors.length >= 2 ? true : undefined));
  expect(handled).toEqual([]);
  open();
  const delivery = await deliveredAfter(api, w.seller.user_id, second.id, 3);
  const statuses = delivery.attempts.map((a) => a.status);
  expect(statuses.at(-1)).toBe(200);
  expect(statuses.slice(0, -1).every((status) => status === 503)).toBe(true);
  await current.drain();
  expect(handled).toEqual([first.id, second.id]);
  expect(errors.every((e) => e instanceof WebhookOverloadError)).toBe(true);
  expect((errors[0] as WebhookOverloadError).limit).toBe("maxPendingPerChat");
});

test("past maxPending (all chats) an event of another chat gets 503 and comes back later", async () => {
  const { chat_id: otherChat } = await api.openChat({
    type: "u2i",
    item_id: w.itemId,
    user_id: w.stranger.user_id,
  });
  const errors: unknown[] = [];
  const handled: string[] = [];
  const { opened, open } = gate();
  current = nodeHandler(
    { secret: w.seller.client_secret, maxPending: 1, onError: (e) => errors.push(e) },
    async (event) => {
      await opened;
      handled.push(event.payload.value.id);
    },
  );
  const first = await api.text(w.chatId, w.buyer.user_id, "Можно завтра?");
  await deliveredAfter(api, w.seller.user_id, first.id);
  const other = await api.text(otherChat, w.stranger.user_id, "Добрый день, а размер какой?");
  await eventually("a 503", () => (errors.length >= 1 ? true : undefined));
  expect((errors[0] as WebhookOverloadError).limit).toBe("maxPending");
  open();
  const delivery = await deliveredAfter(api, w.seller.user_id, other.id, 2);
  expect(delivery.attempts[0]?.status).toBe(503);
  expect(delivery.attempts.at(-1)?.status).toBe(200);
  await current.drain();
  expect(handled).toEqual([first.id, other.id]);
});
