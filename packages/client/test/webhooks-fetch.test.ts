// The fetch-style adapter against a real Beseda. Node has no built-in server of web Requests, so
// a few lines of node:http turn each request into a Request and the Response back, as Bun, Deno
// and Workers do natively. It must answer before its handler finishes (a handler slower than
// production's 2-second cut still gets its delivery marked 200), hand the work to `waitUntil`,
// refuse a forged request and drop a redelivery. A chunked body (no Content-Length) is read as a
// stream and refused once it passes maxBodyBytes, without reading the rest.
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import {
  type FetchWebhookHandler,
  fetchHandler,
  type WebhookEvent,
  type WebhookSignatureError,
} from "../src/webhooks.ts";
import { deliveredAfter, eventually, type Listening, listen, subscribe } from "./webhooks-world.ts";

let server: TestServer;
let api: TestApi;
let w: World;
let receiver: Listening;
let handler: FetchWebhookHandler;
const started: WebhookEvent[] = [];
const finished: WebhookEvent[] = [];
const waitedOn: Promise<unknown>[] = [];
const errors: unknown[] = [];
/** The handler waits on this before it finishes: the test decides when. */
let release: () => void = () => {};
let gate: Promise<void> = Promise.resolve();

/** node:http → Request → handler → Response → node:http, with a Workers-like context. */
async function bridge(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    for (const v of Array.isArray(value) ? value : [value ?? ""]) headers.append(name, v);
  }
  const answer = await handler(
    new Request(`http://127.0.0.1${request.url}`, {
      method: request.method ?? "GET",
      headers,
      body: request.method === "POST" ? Buffer.concat(chunks) : null,
    }),
    {},
    { waitUntil: (promise: Promise<unknown>) => waitedOn.push(promise) },
  );
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  response.end(Buffer.from(await answer.arrayBuffer()));
}

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
  const onError = (error: unknown) => errors.push(error);
  handler = fetchHandler({ secret: w.seller.client_secret, onError }, async (event) => {
    started.push(event);
    await gate;
    finished.push(event);
  });
  receiver = await listen((request, response) => {
    void bridge(request, response);
  });
  await subscribe(api, w.sellerToken, receiver.url);
});

afterAll(async () => {
  release();
  await receiver?.close();
  await server?.stop();
});

test("answers 200 before its handler finishes, and the handler runs to the end after", async () => {
  gate = new Promise((resolve) => {
    release = resolve;
  });
  const message = await api.text(w.chatId, w.buyer.user_id, "Можно посмотреть сегодня?");
  // Delivered (200 recorded by Beseda) while the handler is still waiting on the gate.
  const delivery = await deliveredAfter(api, w.seller.user_id, message.id);
  expect(delivery.attempts.map((a) => a.status)).toEqual([200]);
  await eventually("the handler to start", () =>
    started.find((e) => e.payload.value.id === message.id),
  );
  expect(finished).toHaveLength(0);
  expect(waitedOn.length).toBeGreaterThan(0);
  release();
  await Promise.all(waitedOn);
  expect(finished.map((e) => e.payload.value.id)).toEqual([message.id]);

  // The same delivery again, from the sandbox: 200, and nothing handled.
  const redeliver = await api.sandbox("POST", `/webhooks/deliveries/${delivery.id}/redeliver`);
  expect(redeliver.status).toBe(200);
  const again = await deliveredAfter(api, w.seller.user_id, message.id, 2);
  expect(again.attempts.map((a) => a.status)).toEqual([200, 200]);
  await handler.drain();
  expect(started.filter((e) => e.payload.value.id === message.id)).toHaveLength(1);
});

test("a forged request gets 401 and reaches no handler", async () => {
  const before = started.length;
  const body = JSON.stringify({
    id: "e7fe3e32-7dcb-435b-92f9-db1f1f3c9a6f",
    version: "v3.0.0",
    timestamp: 1707486141,
    payload: {
      type: "message",
      value: {
        id: "707ed8b26213d69d8ea07fd0cc641b2c",
        chat_id: w.chatId,
        chat_type: "u2i",
        user_id: w.seller.user_id,
        author_id: w.buyer.user_id,
        created: 1707486141,
        type: "text",
        content: { text: "Оплатите по ссылке" },
      },
    },
  });
  const unsigned = await fetch(receiver.url, { method: "POST", body });
  expect(unsigned.status).toBe(401);
  const forged = await fetch(receiver.url, {
    method: "POST",
    headers: { "x-avito-messenger-signature": "0".repeat(64) },
    body,
  });
  expect(forged.status).toBe(401);
  const get = await fetch(receiver.url);
  expect(get.status).toBe(405);
  await handler.drain();
  expect(started.length).toBe(before);
  expect(errors.map((e) => (e as WebhookSignatureError).problem)).toEqual(["missing", "mismatch"]);
});

/** A request whose body comes as a stream of chunks, so it has no Content-Length. */
function chunkedRequest(
  chunks: () => Uint8Array | undefined,
  headers: Record<string, string> = {},
): Request {
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks();
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
  return new Request(`${receiver.url}`, {
    method: "POST",
    headers,
    body,
    duplex: "half",
  } as RequestInit);
}

test("a chunked body is read up to maxBodyBytes, then refused with 413 and not read further", async () => {
  const limited = fetchHandler({ secret: w.seller.client_secret, onError: () => {} }, () => {});
  const limit = 1024 * 1024;
  const chunk = new Uint8Array(64 * 1024);
  // 64 MiB on offer; the old handler buffered all of it before it looked at the size.
  let pulled = 0;
  const request = chunkedRequest(() => {
    if (pulled >= 64 * 1024 * 1024) return undefined;
    pulled += chunk.length;
    return chunk;
  });
  expect(request.headers.get("content-length")).toBeNull();
  const answer = await limited(request);
  expect(answer.status).toBe(413);
  // The stream reads ahead by a chunk or two at most.
  expect(pulled).toBeLessThanOrEqual(limit + 4 * chunk.length);
});

test("a chunked body under the limit is joined byte for byte: its signature holds", async () => {
  const message = await api.text(w.chatId, w.buyer.user_id, "А доставка есть?");
  const delivery = await deliveredAfter(api, w.seller.user_id, message.id);
  await handler.drain();
  const own: WebhookEvent[] = [];
  const fresh = fetchHandler({ secret: w.seller.client_secret }, (event) => {
    own.push(event);
  });
  const { "content-length": _, ...withoutLength } = delivery.headers;
  // Beseda's exact bytes, in 7-byte pieces that cut through multi-byte UTF-8 characters.
  const bytes = new TextEncoder().encode(delivery.raw_body);
  let at = 0;
  const answer = await fresh(
    chunkedRequest(() => {
      if (at >= bytes.length) return undefined;
      at += 7;
      return bytes.slice(at - 7, at);
    }, withoutLength),
  );
  expect([answer.status, await answer.text()]).toEqual([200, "ok"]);
  await fresh.drain();
  expect(own.map((e) => e.payload.value.id)).toEqual([message.id]);
});
