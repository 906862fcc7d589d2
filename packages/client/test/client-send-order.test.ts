// When a lost send is checked, against a real Beseda: after the wait (so a send the server is
// still writing is found, not sent again), alone on the chat (so it never takes another in-flight
// send's message for its own), once more when the retries run out, and with a specific error
// when the chat cannot tell. The fetch wrappers only delay or hold real requests and answers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import { AvitoSendUnverifiedError, AvitoServerError } from "../src/index.ts";
import { addFault, chatTexts, clientFor, faultFired, recordingFetch } from "./client-helpers.ts";

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
});
afterEach(async () => {
  await api.sandbox("DELETE", "/faults");
});
afterAll(() => server.stop());

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isSend = (input: RequestInfo | URL, init?: RequestInit) =>
  init?.method === "POST" && new URL(String(input)).pathname.endsWith("/messages");
const copies = async (text: string) => (await chatTexts(api, w.chatId)).filter((t) => t === text);

describe("the check of a lost send", () => {
  it("comes after the wait: a send the backend stores after a gateway's 504 is not sent again", async () => {
    const text = "Шлюз ответил 504, бэкенд дописал";
    const backend: Promise<unknown>[] = [];
    let gatewayGaveUp = false;
    // A gateway that answers 504 at once while the real request reaches Beseda 300 ms later.
    const gateway: typeof fetch = async (input, init) => {
      if (!gatewayGaveUp && isSend(input, init)) {
        gatewayGaveUp = true;
        backend.push(wait(300).then(() => fetch(input, { ...init, signal: null })));
        return Response.json({ error: { code: 504, message: "gateway timeout" } }, { status: 504 });
      }
      return fetch(input, init);
    };
    // No backoff at all: only the grace after a 504 stands between the failure and the look.
    const client = clientFor(server.url, w.seller, {
      fetch: gateway,
      random: () => 0,
      sendGraceMs: 800,
    });

    const message = await client.postSendMessage(w.chatId, text);
    await Promise.all(backend);

    expect(message.content?.text).toBe(text);
    expect(await copies(text)).toHaveLength(1);
  });

  it("comes after the wait: a send that outlived the client's timeout is found, not sent again", async () => {
    const text = "Сервер медленный, клиент не дождался";
    const fault = await addFault(api, {
      operation: "postSendMessage",
      user_id: w.seller.user_id,
      latency_ms: 400,
      times: 1,
    });
    const { fetch, sent } = recordingFetch();
    const client = clientFor(server.url, w.seller, {
      fetch,
      timeoutMs: 150,
      random: () => 0,
      sendGraceMs: 800,
    });

    const message = await client.postSendMessage(w.chatId, text);
    await wait(400); // had the client sent it again, the slow first copy lands by now too

    expect(await faultFired(api, fault)).toBe(1);
    expect(message.content?.text).toBe(text);
    expect(sent.filter((r) => r.method === "POST" && r.path.endsWith("/messages"))).toHaveLength(1);
    expect(await copies(text)).toHaveLength(1);
  });

  it("never takes an equal send's message whose answer is still on its way", async () => {
    const text = "Спасибо!";
    let sends = 0;
    let firstStored = () => {};
    const stored = new Promise<void>((resolve) => {
      firstStored = resolve;
    });
    // Send A is stored, but its answer is held 400 ms; send B goes after A is stored and meets
    // Beseda's 502 (refused before the handler: B is not stored).
    const wrapper: typeof fetch = async (input, init) => {
      if (!isSend(input, init)) return fetch(input, init);
      const n = ++sends;
      if (n === 1) {
        const answer = await fetch(input, init);
        await addFault(api, { operation: "postSendMessage", status: 502, times: 1 });
        firstStored();
        await wait(400);
        return answer;
      }
      if (n === 2) await stored;
      return fetch(input, init);
    };
    const client = clientFor(server.url, w.seller, { fetch: wrapper, random: () => 0 });

    const [a, b] = await Promise.all([
      client.postSendMessage(w.chatId, text),
      client.postSendMessage(w.chatId, text),
    ]);

    expect(a.id).not.toBe(b.id);
    expect(await copies(text)).toHaveLength(2);
    expect(sends).toBe(3);
  });

  it("runs once more when the retries are spent, and finds the stored send", async () => {
    const text = "Последняя попытка";
    await addFault(api, {
      operation: "postSendMessage",
      user_id: w.seller.user_id,
      drop: "after",
      times: 1,
    });
    const client = clientFor(server.url, w.seller, { maxRetries: 0 });

    const message = await client.postSendMessage(w.chatId, text);

    expect(message.content?.text).toBe(text);
    expect(await copies(text)).toHaveLength(1);
  });

  it("throws the send's own error when the retries are spent and the chat does not hold it", async () => {
    const text = "Не сохранено, попытки кончились";
    await addFault(api, {
      operation: "postSendMessage",
      user_id: w.seller.user_id,
      status: 500,
      times: 1,
    });
    const client = clientFor(server.url, w.seller, { maxRetries: 0 });
    const error = await client.postSendMessage(w.chatId, text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AvitoServerError);
    expect(await copies(text)).toHaveLength(0);
  });

  it("throws AvitoSendUnverifiedError when the chat cannot be read", async () => {
    const text = "Чат не читается";
    await addFault(api, {
      operation: "postSendMessage",
      user_id: w.seller.user_id,
      status: 500,
      times: 1,
    });
    await addFault(api, { operation: "getMessagesV3", user_id: w.seller.user_id, status: 503 });
    const { fetch, sent } = recordingFetch();
    const client = clientFor(server.url, w.seller, {
      fetch,
      maxRetries: 1,
      backoff: { baseMs: 20 },
    });

    const error = await client.postSendMessage(w.chatId, text).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AvitoSendUnverifiedError);
    expect(error).toMatchObject({ operation: "postSendMessage", status: 500 });
    expect((error as Error).cause).toBeInstanceOf(AvitoServerError);
    expect(sent.filter((r) => r.method === "POST" && r.path.endsWith("/messages"))).toHaveLength(1);
  });
});
