// GET /sandbox/v1/events, the sandbox's live stream (server-sent events), read as a browser's
// EventSource reads it: each committed message (new or deleted), chat read, delivery attempt,
// clock move and world replacement arrives with an id; a reconnection with Last-Event-ID gets
// what it missed, or "resync" when that cannot be told; closing the server ends the stream.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { resolveRefs, sandboxDocument } from "../src/http/openapi/contract.ts";
import { TestApi } from "./helpers/api.ts";
import { assertMatches } from "./helpers/contract-validator.ts";
import { type Receiver, startReceiver } from "./helpers/receiver.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";
import { serverWithWorld, type World } from "./helpers/world.ts";

let server: TestServer;
let api: TestApi;
let w: World;
let hook: Receiver;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
  hook = await startReceiver(200);
});
afterAll(async () => {
  await server.stop();
  await hook.close();
});

/** Every event's data is what the sandbox document's LiveEvent says, and its name is its type. */
const liveEventSchema = resolveRefs(sandboxDocument, sandboxDocument.components.schemas.LiveEvent);

function checkEvent(event: string, data: Record<string, unknown>): void {
  if (!liveEventSchema) throw new Error("the sandbox document has no LiveEvent");
  assertMatches("LiveEvent", liveEventSchema, data);
  expect(data.type).toBe(event);
}

interface Received {
  id: string | null;
  event: string;
  data: Record<string, unknown>;
}

interface Stream {
  status: number;
  contentType: string | null;
  events: Received[];
  /** Resolves with the first event (from now on, or already there) that passes `test`. */
  next(test: (event: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): void;
  ended: Promise<void>;
}

/** Opens the stream and parses its frames as they come. */
async function openEvents(headers: Record<string, string> = {}, query = ""): Promise<Stream> {
  const abort = new AbortController();
  const response = await fetch(`${server.url}/sandbox/v1/events${query}`, {
    headers: { authorization: `Bearer ${server.adminToken}`, ...headers },
    signal: abort.signal,
  });
  const events: Received[] = [];
  /** Events that break the document: the next wait fails with them. */
  const invalid: Error[] = [];
  const waiters = new Set<() => void>();
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of frame.split("\n")) {
            const colon = line.indexOf(":");
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          const data = fields.get("data");
          if (data === undefined) continue;
          const received: Received = {
            id: fields.get("id") ?? null,
            event: fields.get("event") ?? "message",
            data: JSON.parse(data) as Record<string, unknown>,
          };
          try {
            checkEvent(received.event, received.data);
          } catch (error) {
            invalid.push(error as Error);
          }
          events.push(received);
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    events,
    ended,
    close: () => abort.abort(),
    next: (test, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (invalid.length > 0) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(invalid[0]);
            return;
          }
          const found = events.find(test);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no such event; got ${JSON.stringify(events.map((e) => e.event))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

const messageWith = (text: string) => (e: Received) =>
  e.event === "message" && (e.data.message as { content: { text?: string } }).content.text === text;

describe("what happens arrives as it happens", () => {
  test("a buyer's message, the seller's answer through the API, a read and a delete", async () => {
    const stream = await openEvents();
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toBe("text/event-stream; charset=utf-8");

      await api.text(w.chatId, w.buyer.user_id, "Есть доставка?");
      const asked = await stream.next(messageWith("Есть доставка?"));
      expect(asked.id).toMatch(/^[0-9a-f]{8}\.\d+$/);
      expect(asked.data.message).toEqual(
        expect.objectContaining({ chat_id: w.chatId, author_id: w.buyer.user_id, type: "text" }),
      );

      const sent = await api.call<{ id: string }>("postSendMessage", {
        token: w.sellerToken,
        params: { user_id: w.seller.user_id, chat_id: w.chatId },
        json: { message: { text: "Есть, по городу бесплатно" }, type: "text" },
      });
      expect(sent.status).toBe(200);
      await stream.next(messageWith("Есть, по городу бесплатно"));

      const read = await api.call("chatRead", {
        token: w.sellerToken,
        params: { user_id: w.seller.user_id, chat_id: w.chatId },
      });
      expect(read.status).toBe(200);
      const readEvent = await stream.next((e) => e.event === "chat_read");
      expect(readEvent.data).toEqual(
        expect.objectContaining({ chat_id: w.chatId, user_id: w.seller.user_id }),
      );

      const deleted = await api.call("deleteMessage", {
        token: w.sellerToken,
        params: { user_id: w.seller.user_id, chat_id: w.chatId, message_id: sent.body.id },
      });
      expect(deleted.status).toBe(200);
      const gone = await stream.next(
        (e) =>
          e.event === "message" &&
          (e.data.message as { id: string; type: string }).id === sent.body.id &&
          (e.data.message as { type: string }).type === "deleted",
      );
      expect((gone.data.message as { deleted: number | null }).deleted).toEqual(expect.any(Number));
      // Ids count up, in the order things happened.
      const counters = stream.events.map((e) => Number(e.id?.split(".")[1]));
      expect(counters).toEqual([...counters].sort((a, b) => a - b));
    } finally {
      stream.close();
    }
  });

  test("a webhook delivery attempt, with the receiver's answer", async () => {
    const subscribed = await api.call("postWebhookV3", {
      token: w.sellerToken,
      params: {},
      json: { url: hook.url },
    });
    expect(subscribed.status).toBe(200);
    const stream = await openEvents();
    try {
      await api.text(w.chatId, w.buyer.user_id, "Webhook, ау");
      const message = await stream.next(messageWith("Webhook, ау"));
      const messageId = (message.data.message as { id: string }).id;
      const attempt = await stream.next(
        (e) => e.event === "delivery" && e.data.message_id === messageId,
      );
      expect(attempt.data).toEqual(
        expect.objectContaining({
          user_id: w.seller.user_id,
          chat_id: w.chatId,
          attempt: 1,
          url: hook.url,
          status: 200,
          error: null,
          fault: null,
        }),
      );
    } finally {
      stream.close();
      await api.call("postWebhookUnsubscribe", {
        token: w.sellerToken,
        params: {},
        json: { url: hook.url },
      });
    }
  });

  test("the clock moving", async () => {
    const stream = await openEvents();
    try {
      const now = await api.advanceClock(3600);
      const moved = await stream.next((e) => e.event === "clock");
      expect(moved.data).toEqual({ type: "clock", now, offset_seconds: expect.any(Number) });
    } finally {
      stream.close();
    }
  });
});

describe("reconnecting", () => {
  test("with Last-Event-ID: what was missed, and nothing seen twice", async () => {
    const first = await openEvents();
    await api.text(w.chatId, w.buyer.user_id, "До обрыва");
    const seen = await first.next(messageWith("До обрыва"));
    first.close();
    await first.ended;
    await api.text(w.chatId, w.buyer.user_id, "Пока связи не было");
    const again = await openEvents({ "last-event-id": seen.id as string });
    try {
      const missed = await again.next(messageWith("Пока связи не было"));
      expect(Number(missed.id?.split(".")[1])).toBeGreaterThan(Number(seen.id?.split(".")[1]));
      expect(again.events.some(messageWith("До обрыва"))).toBe(false);
    } finally {
      again.close();
    }
  });

  test("with an id of another run of the server: resync", async () => {
    const stream = await openEvents({}, "?last_event_id=00000000.5");
    try {
      await stream.next((e) => e.event === "resync");
    } finally {
      stream.close();
    }
  });

  test("a bad last_event_id → 400; no admin token → 401", async () => {
    const bad = await api.sandbox("GET", `/events?last_event_id=${"x".repeat(101)}`);
    expect(bad.status).toBe(400);
    const anonymous = await fetch(`${server.url}/sandbox/v1/events`);
    expect(anonymous.status).toBe(401);
  });
});

describe("the world replaced and the server closing", () => {
  test("a reset is told as a `world` event; closing the server ends the stream", async () => {
    const own = await startTestServer();
    const ownApi = new TestApi(own.url, own.adminToken);
    const response = await fetch(`${own.url}/sandbox/v1/events`, {
      headers: { authorization: `Bearer ${own.adminToken}` },
    });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let text = "";
    expect((await ownApi.sandbox("POST", "/reset", { demo: false })).status).toBe(200);
    while (!text.includes("event: world")) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    expect(text).toContain('data: {"type":"world"}');
    const started = performance.now();
    await own.stop();
    // The stream ended with the server instead of holding its close open.
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
    }
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
