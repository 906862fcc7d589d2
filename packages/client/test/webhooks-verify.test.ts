// verifyAndParse on what Beseda really sent (the delivery log keeps the exact bytes and headers),
// with headers in each shape servers hand over; refusals for a wrong secret and for a signed
// body that is not an envelope; and the deduper's bounded memory.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import {
  createDeduper,
  dedupeKey,
  isOwnEcho,
  SIGNATURE_HEADER,
  verifyAndParse,
  WebhookPayloadError,
  WebhookSignatureError,
} from "../src/webhooks.ts";
import {
  type Delivery,
  deliveredAfter,
  type Listening,
  listen,
  subscribe,
} from "./webhooks-world.ts";

let server: TestServer;
let api: TestApi;
let w: World;
let sink: Listening;
let delivery: Delivery;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
  // A receiver that answers 200 to everything: here only the delivery log's bytes matter.
  sink = await listen((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(200).end());
  });
  await subscribe(api, w.sellerToken, sink.url);
  const message = await api.text(w.chatId, w.buyer.user_id, "Здравствуйте! Ещё продаётся?");
  delivery = await deliveredAfter(api, w.seller.user_id, message.id);
});

afterAll(async () => {
  await sink?.close();
  await server?.stop();
});

describe("verifyAndParse", () => {
  test("accepts Beseda's delivery with headers as Headers, Node's record or any-case record", async () => {
    const signature = delivery.headers[SIGNATURE_HEADER] ?? "";
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    const shapes = [
      new Headers(delivery.headers),
      { ...delivery.headers, [SIGNATURE_HEADER]: [signature] },
      {
        "Content-Type": "application/json",
        "X-Avito-Messenger-Signature": signature.toUpperCase(),
      },
    ];
    for (const headers of shapes) {
      const event = await verifyAndParse(delivery.raw_body, headers, w.seller.client_secret);
      expect(event.payload.value.id).toBe(delivery.message_id);
      expect(event.payload.value.author_id).toBe(w.buyer.user_id);
      expect(isOwnEcho(event)).toBe(false);
      expect(dedupeKey(event)).toBe(delivery.message_id);
    }
    const bytes = new TextEncoder().encode(delivery.raw_body);
    const event = await verifyAndParse(bytes, delivery.headers, w.seller.client_secret);
    expect(event.payload.value.content).toEqual({ text: "Здравствуйте! Ещё продаётся?" });
  });

  test("refuses another account's secret, a re-encoded body and two signatures", async () => {
    const refusal = (body: string, headers: Record<string, string | string[]>, secret: string) =>
      verifyAndParse(body, headers, secret).then(
        () => "accepted",
        (error: unknown) => (error instanceof WebhookSignatureError ? error.problem : error),
      );
    const signature = delivery.headers[SIGNATURE_HEADER] ?? "";
    expect(await refusal(delivery.raw_body, delivery.headers, w.buyer.client_secret)).toBe(
      "mismatch",
    );
    // What a JSON body parser then JSON.stringify hands over: the same data, other bytes.
    const reencoded = JSON.stringify(JSON.parse(delivery.raw_body), null, 1);
    expect(await refusal(reencoded, delivery.headers, w.seller.client_secret)).toBe("mismatch");
    expect(
      await refusal(
        delivery.raw_body,
        { [SIGNATURE_HEADER]: [signature, signature] },
        w.seller.client_secret,
      ),
    ).toBe("ambiguous");
    expect(
      await refusal(delivery.raw_body, { [SIGNATURE_HEADER]: "xyz" }, w.seller.client_secret),
    ).toBe("malformed");
  });

  test("a signed body that is not a v3 message envelope is a payload error naming the faults", async () => {
    const secret = w.seller.client_secret;
    const body = JSON.stringify({
      id: 1,
      version: "v3.0.0",
      payload: { type: "message", value: { id: "x" } },
    });
    const headers = { [SIGNATURE_HEADER]: createHmac("sha256", secret).update(body).digest("hex") };
    const error = await verifyAndParse(body, headers, secret).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookPayloadError);
    expect((error as WebhookPayloadError).problems).toEqual(
      expect.arrayContaining([
        "id: must be a string",
        "timestamp: must be a number",
        "payload.value.chat_id: must be a string",
        "payload.value.content: must be an object",
      ]),
    );
  });
});

describe("createDeduper", () => {
  test("answers seen once per key and forgets the least recently seen beyond max", () => {
    const deduper = createDeduper({ max: 3 });
    expect(["a", "b", "c"].map((k) => deduper.seen(k))).toEqual([false, false, false]);
    expect(deduper.seen("a")).toBe(true); // a is now the most recent
    expect(deduper.seen("d")).toBe(false); // b, the least recent, goes
    expect(deduper.size).toBe(3);
    expect(deduper.seen("b")).toBe(false);
    expect(deduper.seen("a")).toBe(true);
    for (let i = 0; i < 10_000; i++) deduper.seen(`k${i}`);
    expect(deduper.size).toBe(3);
    deduper.forget("k9999");
    expect(deduper.seen("k9999")).toBe(false);
  });
});
