// Never a blind second send, against a real Beseda: a send whose answer was lost is looked for in
// the chat before it is sent again, and the chat (read through the sandbox, not the client)
// holds each message exactly once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import { encodeBmp } from "../../server/test/helpers/media.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import { AvitoConnectionError, type RetryEvent } from "../src/index.ts";
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

const sendFault = (rule: Record<string, unknown>) =>
  addFault(api, { operation: "postSendMessage", user_id: w.seller.user_id, ...rule });
const sends = (sent: { method: string; path: string }[]) =>
  sent.filter((r) => r.method === "POST" && r.path.endsWith("/messages"));
const copies = async (text: string) => (await chatTexts(api, w.chatId)).filter((t) => t === text);

describe("a send whose answer was lost", () => {
  it("is found in the chat, not sent again, and the call resolves with it", async () => {
    const fault = await sendFault({ drop: "after", times: 1 });
    const { fetch, sent } = recordingFetch();
    const retries: RetryEvent[] = [];
    const client = clientFor(server.url, w.seller, { fetch, onRetry: (e) => retries.push(e) });
    const text = "Отправлено, но ответ потерян";

    const message = await client.postSendMessage(w.chatId, text);

    expect(await faultFired(api, fault)).toBe(1);
    expect(message).toMatchObject({ type: "text", content: { text } });
    expect(message.id).toMatch(/^[0-9a-f]{32}$/);
    expect(await copies(text)).toHaveLength(1);
    expect(sends(sent)).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it("is sent again when the chat shows it was not stored (a 500 before the handler)", async () => {
    const fault = await sendFault({ status: 500, times: 1 });
    const { fetch, sent } = recordingFetch();
    const retries: RetryEvent[] = [];
    const client = clientFor(server.url, w.seller, {
      fetch,
      backoff: { baseMs: 50 },
      onRetry: (e) => retries.push(e),
    });
    const text = "Не сохранено с первого раза";

    const message = await client.postSendMessage(w.chatId, {
      type: "text",
      message: { text },
    });

    expect(await faultFired(api, fault)).toBe(1);
    expect(message.content?.text).toBe(text);
    expect(await copies(text)).toHaveLength(1);
    expect(sends(sent)).toHaveLength(2);
    expect(retries).toMatchObject([{ reason: "server", verified: true }]);
  });

  it("is not mistaken for an equal message this client sent just before", async () => {
    const client = clientFor(server.url, w.seller, { backoff: { baseMs: 50 } });
    const text = "Хорошо";
    await client.postSendMessage(w.chatId, text);
    await sendFault({ status: 502, times: 1 });
    // The second "Хорошо" was not stored; the first one, of the same second, must not pass for it.
    await client.postSendMessage(w.chatId, text);
    expect(await copies(text)).toHaveLength(2);
  });

  it("is left to the caller with sendRetry: never", async () => {
    await sendFault({ drop: "after", times: 1 });
    const { fetch, sent } = recordingFetch();
    const client = clientFor(server.url, w.seller, { fetch, sendRetry: "never" });
    const text = "Решает вызывающий";

    const error = await client.postSendMessage(w.chatId, text).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AvitoConnectionError);
    expect(error).toMatchObject({ operation: "postSendMessage", status: undefined });
    expect(sends(sent)).toHaveLength(1);
    expect(await copies(text)).toHaveLength(1);
  });

  it("retries a 429 without looking: nothing was done", async () => {
    await sendFault({ status: 429, retry_after: 1, times: 1 });
    const { fetch, sent } = recordingFetch();
    const client = clientFor(server.url, w.seller, { fetch });
    const text = "После паузы";
    await client.postSendMessage(w.chatId, text);
    expect(sends(sent)).toHaveLength(2);
    expect(sent.filter((r) => r.method === "GET")).toHaveLength(0);
    expect(await copies(text)).toHaveLength(1);
  });

  it("works for images too: an uploaded image whose send answer was lost is in the chat once", async () => {
    const { fetch, sent } = recordingFetch();
    const client = clientFor(server.url, w.seller, { fetch });
    const uploaded = await client.uploadImages(
      encodeBmp(8, 6, (x) => [x * 30, 90, 200]),
      {
        fileName: "photo.bmp",
      },
    );
    const imageId = Object.keys(uploaded)[0] ?? "";
    expect(imageId).toMatch(/^\d+\.[0-9a-f]{32}$/);
    await addFault(api, {
      operation: "postSendImageMessage",
      user_id: w.seller.user_id,
      drop: "after",
      times: 1,
    });

    const message = await client.postSendImageMessage(w.chatId, { image_id: imageId });

    expect(message.type).toBe("image");
    expect(sent.filter((r) => r.path.endsWith("/messages/image"))).toHaveLength(1);
    const images = await api.sandbox<{ messages: { type: string; content: unknown }[] }>(
      "GET",
      `/chats/${encodeURIComponent(w.chatId)}/messages?limit=100`,
    );
    const withThisImage = images.body.messages.filter(
      (m) => m.type === "image" && JSON.stringify(m.content).includes(imageId),
    );
    expect(withThisImage).toHaveLength(1);
  });
});
