// getMessagesV3, postSendMessage, deleteMessage and chatRead: history newest first as a bare
// array, read state from each side's point of view, quotes, the one-hour delete window on the
// sandbox clock, and the chat's last message and unread state moving with each write.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ApiResponse, TestApi } from "./helpers/api.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import type { TestServer } from "./helpers/test-server.ts";
import { serverWithWorld, type World } from "./helpers/world.ts";

interface MessageBody {
  id: string;
  author_id: number;
  created: number;
  type: string;
  content: Record<string, unknown>;
  direction: "in" | "out";
  is_read: boolean;
  read: number | null;
  quote?: {
    id: string;
    author_id: number;
    type: string;
    content: Record<string, unknown>;
    created: number;
  };
}

interface ChatBody {
  updated: number;
  last_message?: { id: string; type: string; direction: string; content: Record<string, unknown> };
}

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
});
afterAll(() => server.stop());

function messages(
  token: string,
  userId: number,
  chatId: string,
  query: Record<string, number> = {},
) {
  return api.call<MessageBody[]>("getMessagesV3", {
    token,
    params: { user_id: userId, chat_id: chatId },
    query,
  });
}

function send(token: string, userId: number, chatId: string, text: string) {
  return api.call<MessageBody>("postSendMessage", {
    token,
    params: { user_id: userId, chat_id: chatId },
    json: { message: { text }, type: "text" },
  });
}

function chat(token: string, userId: number, chatId: string) {
  return api.call<ChatBody>("getChatByIdV2", {
    token,
    params: { user_id: userId, chat_id: chatId },
  });
}

function read(token: string, userId: number, chatId: string) {
  return api.call("chatRead", { token, params: { user_id: userId, chat_id: chatId } });
}

function remove(token: string, userId: number, chatId: string, messageId: string) {
  return api.call("deleteMessage", {
    token,
    params: { user_id: userId, chat_id: chatId, message_id: messageId },
  });
}

async function freshChat() {
  const buyer = await api.createAccount("Покупатель");
  const { chat_id } = await api.openChat({
    type: "u2i",
    item_id: w.itemId,
    user_id: buyer.user_id,
  });
  return { buyer, chatId: chat_id, buyerToken: await api.token(buyer) };
}

function expectUnchanged(before: string) {
  return expect(storeSnapshot(server.ctx.store)).resolves.toBe(before);
}

describe("getMessagesV3", () => {
  test("answers a bare array, newest first, with 32-hex ids", async () => {
    const { status, body } = await messages(w.sellerToken, w.seller.user_id, w.chatId);
    expect(status).toBe(200);
    expect(Array.isArray(body)).toBe(true);
    expect(body.map((m) => m.content.text)).toEqual(["Да", "Здравствуйте! Ещё продаётся?"]);
    for (const m of body) expect(m.id).toMatch(/^[0-9a-f]{32}$/);
  });

  test("pages with limit and offset and refuses bounds outside 1..100 and 0..1000", async () => {
    const { buyer, chatId } = await freshChat();
    for (let i = 1; i <= 5; i++) await api.text(chatId, buyer.user_id, `m${i}`);
    const page = async (limit: number, offset: number) =>
      (await messages(w.sellerToken, w.seller.user_id, chatId, { limit, offset })).body.map(
        (m) => m.content.text,
      );
    expect(await page(2, 0)).toEqual(["m5", "m4"]);
    expect(await page(2, 2)).toEqual(["m3", "m2"]);
    expect(await page(2, 4)).toEqual(["m1"]);
    expect(await page(100, 1000)).toEqual([]);
    for (const [query, field] of [
      [{ limit: 0 }, "limit"],
      [{ limit: 101 }, "limit"],
      [{ offset: 1001 }, "offset"],
      [{ offset: -1 }, "offset"],
    ] as const) {
      const response = await messages(w.sellerToken, w.seller.user_id, chatId, query);
      expect(response.status).toBe(400);
      expect(
        (response.body as unknown as { error: { fields: Record<string, string> } }).error.fields,
      ).toHaveProperty(field);
    }
  });

  test("direction, is_read and read follow each side's point of view", async () => {
    const { buyer, chatId, buyerToken } = await freshChat();
    const question = await api.text(chatId, buyer.user_id, "Вопрос");
    const seen = async (token: string, userId: number) =>
      (await messages(token, userId, chatId)).body.find((m) => m.id === question.id);

    expect(await seen(w.sellerToken, w.seller.user_id)).toMatchObject({
      direction: "in",
      is_read: false,
      read: null,
    });
    expect(await seen(buyerToken, buyer.user_id)).toMatchObject({
      direction: "out",
      is_read: true,
      read: null,
    });

    // Reading the history does not mark the chat read; chatRead does.
    expect((await seen(w.sellerToken, w.seller.user_id))?.is_read).toBe(false);
    const readAt = await api.advanceClock(30);
    expect((await read(w.sellerToken, w.seller.user_id, chatId)).body).toEqual({ ok: true });
    expect(await seen(w.sellerToken, w.seller.user_id)).toMatchObject({
      is_read: true,
      read: readAt,
    });
    expect(await seen(buyerToken, buyer.user_id)).toMatchObject({ is_read: true, read: readAt });
  });

  test("a quoting message carries the quoted message", async () => {
    const { buyer, chatId } = await freshChat();
    const original = await api.text(chatId, buyer.user_id, "Какая цена?");
    const reply = await api.post(
      chatId,
      w.seller.user_id,
      "text",
      { text: "12 500 ₽" },
      { quote_id: original.id },
    );
    const found = (await messages(w.sellerToken, w.seller.user_id, chatId)).body.find(
      (m) => m.id === reply.id,
    );
    expect(found?.quote).toEqual({
      id: original.id,
      author_id: buyer.user_id,
      created: original.created,
      type: "text",
      content: { text: "Какая цена?" },
    });
  });

  test("every sandbox message type validates against the document", async () => {
    const { buyer, chatId } = await freshChat();
    // Fields the document does not have are ignored, not served back (found by the fuzzer).
    await api.post(chatId, buyer.user_id, "link", {
      link: {
        url: "https://habr.com/ru/",
        text: "habr.com",
        preview: { title: "Хабр", url: "https://habr.com/ru/", '"': 1 },
        favicon: "x",
      },
      extra: true,
    });
    await api.post(chatId, buyer.user_id, "item", {
      item: { title: "Диван", item_url: "https://example.com/i/1" },
    });
    // kind is the geocoder's, an open set (CORRECTIONS.md 12): "metro" is none of the
    // document's examples.
    await api.post(chatId, buyer.user_id, "location", {
      location: { lat: 55.75, lon: 37.61, text: "Москва", kind: "metro", '"': "x" },
    });
    await api.post(chatId, buyer.user_id, "call", {
      call: { status: "missed", target_user_id: w.seller.user_id },
    });
    await api.post(chatId, buyer.user_id, "system", {
      text: "Авито",
      flow_id: "seller_audience_discount",
    });
    for (const type of ["video", "file", "appCall"])
      await api.post(chatId, buyer.user_id, type, {});
    const { body } = await messages(w.sellerToken, w.seller.user_id, chatId);
    expect(body.map((m) => m.type).reverse()).toEqual([
      "link",
      "item",
      "location",
      "call",
      "system",
      "video",
      "file",
      "appCall",
    ]);
    for (const m of body.filter((x) => ["video", "file", "appCall"].includes(x.type)))
      expect(m.content).toEqual({});
  });
});

describe("postSendMessage", () => {
  test("returns the documented object and moves the chat", async () => {
    const { chatId, buyer, buyerToken } = await freshChat();
    await api.text(chatId, buyer.user_id, "Привет");
    const at = await api.advanceClock(5);
    const sent = await send(w.sellerToken, w.seller.user_id, chatId, "Здравствуйте 👋");
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      created: expect.any(Number),
      direction: "out",
      type: "text",
      content: { text: "Здравствуйте 👋" },
    });
    // The sandbox clock runs on with real time: a second may have begun since it was moved.
    expect(sent.body.created).toBeGreaterThanOrEqual(at);
    expect(sent.body.created).toBeLessThanOrEqual(at + 1);

    const sellerView = (await chat(w.sellerToken, w.seller.user_id, chatId)).body;
    expect(sellerView.updated).toBe(sent.body.created);
    expect(sellerView.last_message).toMatchObject({
      id: sent.body.id,
      direction: "out",
      content: { text: "Здравствуйте 👋" },
    });
    expect((await chat(buyerToken, buyer.user_id, chatId)).body.last_message).toMatchObject({
      id: sent.body.id,
      direction: "in",
    });

    // The buyer now has an unread chat; the seller does not.
    const unread = async (token: string, userId: number) =>
      (
        await api.call<{ chats: { id: string }[] }>("getChatsV2", {
          token,
          params: { user_id: userId },
          query: { unread_only: true },
        })
      ).body.chats.map((c) => c.id);
    expect(await unread(buyerToken, buyer.user_id)).toContain(chatId);
    await read(buyerToken, buyer.user_id, chatId);
    expect(await unread(buyerToken, buyer.user_id)).not.toContain(chatId);
  });

  test("is committed: the history shows it at once", async () => {
    const sent = await send(w.buyerToken, w.buyer.user_id, w.chatId, "Беру!");
    const { body } = await messages(w.sellerToken, w.seller.user_id, w.chatId);
    expect(body[0]).toMatchObject({
      id: sent.body.id,
      direction: "in",
      content: { text: "Беру!" },
    });
  });

  test("refuses bad text and changes nothing", async () => {
    const before = await storeSnapshot(server.ctx.store);
    for (const json of [
      { message: { text: "я".repeat(1001) }, type: "text" },
      { message: { text: "" }, type: "text" },
      { message: {}, type: "text" },
      { type: "text" },
      { message: { text: "hi" }, type: "image" },
    ]) {
      const response = await api.call("postSendMessage", {
        token: w.sellerToken,
        params: { user_id: w.seller.user_id, chat_id: w.chatId },
        json,
      });
      expect(response.status, JSON.stringify(json).slice(0, 80)).toBe(400);
    }
    await expectUnchanged(before);
    const ok = await send(w.sellerToken, w.seller.user_id, w.chatId, "я".repeat(1000));
    expect(ok.status).toBe(200);
  });

  test("to an unknown chat or someone else's chat answers 404", async () => {
    const before = await storeSnapshot(server.ctx.store);
    expect(
      (await send(w.sellerToken, w.seller.user_id, "u2i-AAAAAAAAAAAAAAAAAAAAAA", "hi")).status,
    ).toBe(404);
    expect((await send(w.strangerToken, w.stranger.user_id, w.chatId, "hi")).status).toBe(404);
    await expectUnchanged(before);
  });
});

describe("deleteMessage", () => {
  test("turns the own message into type deleted with empty content, kept in history", async () => {
    const { chatId, buyer, buyerToken } = await freshChat();
    const sent = await send(w.sellerToken, w.seller.user_id, chatId, "Ошибся чатом");
    const response = await remove(w.sellerToken, w.seller.user_id, chatId, sent.body.id);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({});
    for (const [token, userId] of [
      [w.sellerToken, w.seller.user_id],
      [buyerToken, buyer.user_id],
    ] as const) {
      const found = (await messages(token, userId, chatId)).body.find((m) => m.id === sent.body.id);
      expect(found).toMatchObject({ type: "deleted", content: {} });
    }
    expect((await chat(w.sellerToken, w.seller.user_id, chatId)).body.last_message).toMatchObject({
      id: sent.body.id,
      type: "deleted",
    });
    // Deleting it again is harmless.
    expect((await remove(w.sellerToken, w.seller.user_id, chatId, sent.body.id)).status).toBe(200);
  });

  test("works within one hour of the sandbox clock and not after", async () => {
    const { chatId } = await freshChat();
    const early = await send(w.sellerToken, w.seller.user_id, chatId, "1");
    const late = await send(w.sellerToken, w.seller.user_id, chatId, "2");
    // 3599 s of sandbox time (a real second may tick on top: 3600 is still inside the hour).
    await api.advanceClock(3599);
    expect((await remove(w.sellerToken, w.seller.user_id, chatId, early.body.id)).status).toBe(200);
    await api.advanceClock(2);
    const before = await storeSnapshot(server.ctx.store);
    const refused: ApiResponse = await remove(
      w.sellerToken,
      w.seller.user_id,
      chatId,
      late.body.id,
    );
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("within one hour");
    await expectUnchanged(before);
  });

  test("refuses the other side's messages, unknown ids and messages of another chat", async () => {
    const { chatId, buyer } = await freshChat();
    const theirs = await api.text(chatId, buyer.user_id, "Моё");
    const elsewhere = await api.text(w.chatId, w.buyer.user_id, "Другой чат");
    const before = await storeSnapshot(server.ctx.store);
    expect((await remove(w.sellerToken, w.seller.user_id, chatId, theirs.id)).status).toBe(403);
    expect((await remove(w.sellerToken, w.seller.user_id, chatId, "0".repeat(32))).status).toBe(
      404,
    );
    expect((await remove(w.sellerToken, w.seller.user_id, chatId, elsewhere.id)).status).toBe(404);
    await expectUnchanged(before);
  });
});

describe("chatRead", () => {
  test("marks only the other side's messages read, and only for the reader", async () => {
    const { chatId, buyer, buyerToken } = await freshChat();
    await api.text(chatId, buyer.user_id, "Добрый день");
    await send(w.sellerToken, w.seller.user_id, chatId, "Здравствуйте");
    const at = await api.advanceClock(10);
    await read(buyerToken, buyer.user_id, chatId);
    const sellerSees = (await messages(w.sellerToken, w.seller.user_id, chatId)).body;
    // The seller's message was read by the buyer; the buyer's message is still unread by the seller.
    // (The sandbox clock runs on with real time: a second may have begun since it was moved.)
    const out = sellerSees.find((m) => m.direction === "out");
    expect(out).toMatchObject({ is_read: true, read: expect.any(Number) });
    expect(out?.read).toBeGreaterThanOrEqual(at);
    expect(out?.read).toBeLessThanOrEqual(at + 1);
    expect(sellerSees.find((m) => m.direction === "in")).toMatchObject({
      is_read: false,
      read: null,
    });
  });

  test("of an unknown chat answers 404 and changes nothing", async () => {
    const before = await storeSnapshot(server.ctx.store);
    expect((await read(w.sellerToken, w.seller.user_id, "u2i-nope")).status).toBe(404);
    await expectUnchanged(before);
  });
});
