// The sandbox control API: admin token, accounts, items, chats, messages of every type, the
// authorization codes and the clock. Its shapes are a public contract (README).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Credentials, TestApi } from "./helpers/api.ts";
import { assertMatches, schemaOf } from "./helpers/contract-validator.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

let server: TestServer;
let api: TestApi;
let seller: Credentials;
let buyer: Credentials;
let itemId: number;

type ErrorBody = { error: { code: number; message: string; fields?: Record<string, string> } };

beforeAll(async () => {
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
  seller = await api.createAccount("Продавец");
  buyer = await api.createAccount("Покупатель");
  itemId = (await api.createItem(seller.user_id, "Шкаф")).item_id;
});
afterAll(() => server.stop());

async function expectRefused(
  method: string,
  path: string,
  json: unknown,
  status: number,
  field?: string,
) {
  const before = await storeSnapshot(server.ctx.store);
  const response = await api.sandbox<ErrorBody>(method, path, json);
  expect(response.status, `${path} ${JSON.stringify(json)}`).toBe(status);
  expect(response.body.error.code).toBe(status);
  if (field) expect(response.body.error.fields, JSON.stringify(json)).toHaveProperty([field]);
  expect(await storeSnapshot(server.ctx.store)).toBe(before);
  return response.body;
}

test("every route needs the admin token", async () => {
  for (const token of [undefined, "", "wrong-token-wrong-token"]) {
    const response = await api.request<ErrorBody>("POST", "/sandbox/v1/accounts", {
      token,
      json: { name: "x" },
    });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe(401);
  }
  const clock = await api.request("GET", "/sandbox/v1/clock", { token: "nope" });
  expect(clock.status).toBe(401);
});

describe("accounts and items", () => {
  test("an account gets production-shaped ids and working credentials", async () => {
    const response = await api.sandbox<Credentials>("POST", "/accounts", {
      name: "Ирина",
      extra: true,
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      user_id: expect.any(Number),
      name: "Ирина",
      client_id: expect.any(String),
      client_secret: expect.any(String),
      redirect_uris: [],
    });
    expect(String(response.body.user_id)).toMatch(/^\d{8,10}$/);
    await expect(api.token(response.body)).resolves.toEqual(expect.any(String));
  });

  test("an item id exceeds 2^31 and the item shows in u2i chats", async () => {
    const response = await api.sandbox<{ item_id: number; url: string; status_id: number }>(
      "POST",
      `/accounts/${seller.user_id}/items`,
      { title: "Комод", price_string: "3 000 ₽" },
    );
    expect(response.status).toBe(201);
    expect(response.body.item_id).toBeGreaterThan(2 ** 31);
    expect(response.body.status_id).toBe(10);
    expect((await fetch(response.body.url)).status).toBe(200);
  });

  test("bad input is refused", async () => {
    await expectRefused("POST", "/accounts", {}, 400, "name");
    await expectRefused("POST", "/accounts", { name: "" }, 400, "name");
    await expectRefused("POST", `/accounts/${seller.user_id}/items`, {}, 400, "title");
    await expectRefused(
      "POST",
      `/accounts/${seller.user_id}/items`,
      { title: "x", status_id: 7 },
      400,
      "status_id",
    );
    await expectRefused("POST", "/accounts/12345678/items", { title: "x" }, 404);
    await expectRefused("POST", "/accounts/abc/items", { title: "x" }, 400, "user_id");
  });
});

describe("chats", () => {
  test("u2i: 201 the first time, 200 with the same chat after", async () => {
    const other = await api.createAccount("Другой");
    const first = await api.sandbox<{
      chat_id: string;
      type: string;
      item_id: number;
      user_ids: number[];
    }>("POST", "/chats", { type: "u2i", item_id: itemId, user_id: other.user_id });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      type: "u2i",
      item_id: itemId,
      user_ids: [seller.user_id, other.user_id],
    });
    expect(first.body.chat_id).toMatch(/^u2i-[A-Za-z0-9_~]{22}$/);
    const again = await api.sandbox<{ chat_id: string }>("POST", "/chats", {
      type: "u2i",
      item_id: itemId,
      user_id: other.user_id,
    });
    expect(again.status).toBe(200);
    expect(again.body.chat_id).toBe(first.body.chat_id);
  });

  test("u2u: the pair in either order is one chat; a2u is held with Avito", async () => {
    const a = await api.sandbox<{ chat_id: string }>("POST", "/chats", {
      type: "u2u",
      user_ids: [seller.user_id, buyer.user_id],
    });
    const b = await api.sandbox<{ chat_id: string }>("POST", "/chats", {
      type: "u2u",
      user_ids: [buyer.user_id, seller.user_id],
    });
    expect([a.status, b.status]).toEqual([201, 200]);
    expect(b.body.chat_id).toBe(a.body.chat_id);
    expect(a.body.chat_id).toMatch(/^u2u-/);
    const system = await api.sandbox<{ chat_id: string; user_ids: number[] }>("POST", "/chats", {
      type: "a2u",
      user_id: buyer.user_id,
    });
    expect(system.status).toBe(201);
    expect(system.body.chat_id).toMatch(/^a2u-/);
    const avitoId = system.body.user_ids.find((id) => id !== buyer.user_id);
    expect(avitoId).toEqual(expect.any(Number));
    const message = await api.post(system.body.chat_id, avitoId as number, "system", {
      text: "Ваше объявление опубликовано",
      flow_id: "item_published",
    });
    expect(message).toMatchObject({ type: "system", content: { flow_id: "item_published" } });
  });

  test("bad input is refused", async () => {
    await expectRefused("POST", "/chats", {}, 400, "type");
    await expectRefused("POST", "/chats", { type: "x2y" }, 400);
    await expectRefused("POST", "/chats", { type: "u2i", user_id: buyer.user_id }, 400, "item_id");
    await expectRefused(
      "POST",
      "/chats",
      { type: "u2i", item_id: 3_000_000_001, user_id: buyer.user_id },
      404,
    );
    await expectRefused(
      "POST",
      "/chats",
      { type: "u2i", item_id: itemId, user_id: seller.user_id },
      400,
    );
    await expectRefused(
      "POST",
      "/chats",
      { type: "u2i", item_id: itemId, user_id: 11_111_111 },
      404,
    );
    await expectRefused(
      "POST",
      "/chats",
      { type: "u2u", user_ids: [buyer.user_id] },
      400,
      "user_ids",
    );
    await expectRefused(
      "POST",
      "/chats",
      { type: "u2u", user_ids: [buyer.user_id, buyer.user_id] },
      400,
    );
  });
});

describe("messages", () => {
  let chatId: string;
  beforeAll(async () => {
    chatId = (await api.openChat({ type: "u2i", item_id: itemId, user_id: buyer.user_id })).chat_id;
  });

  test("any participant writes; the answer is the message as getMessagesV3 shows it to its author", async () => {
    const messageSchema = schemaOf("Messages").items as Record<string, unknown>;
    const fromBuyer = await api.sandbox("POST", `/chats/${chatId}/messages`, {
      author_id: buyer.user_id,
      type: "text",
      content: { text: "Добрый день" },
    });
    expect(fromBuyer.status).toBe(201);
    assertMatches("Messages.items", messageSchema, fromBuyer.body);
    expect(fromBuyer.body).toMatchObject({
      author_id: buyer.user_id,
      direction: "out",
      is_read: true,
      type: "text",
    });
    const fromSeller = await api.sandbox("POST", `/chats/${chatId}/messages`, {
      author_id: seller.user_id,
      type: "link",
      content: { link: { url: "https://example.com/x" } },
    });
    expect(fromSeller.status).toBe(201);
    assertMatches("Messages.items", messageSchema, fromSeller.body);
    expect(fromSeller.body).toMatchObject({
      content: { link: { url: "https://example.com/x", text: "https://example.com/x" } },
    });
  });

  test("content is checked against its type", async () => {
    const path = `/chats/${chatId}/messages`;
    const post = (type: string, content: unknown, field: string) =>
      expectRefused("POST", path, { author_id: buyer.user_id, type, content }, 400, field);
    await post("text", {}, "content.text");
    await post("text", { text: "я".repeat(1001) }, "content.text");
    await post("link", { link: { url: "ftp://x" } }, "content.link.url");
    await post("link", {}, "content.link");
    await post(
      "link",
      { link: { url: "https://x.ru", preview: { title: 7 } } },
      "content.link.preview.title",
    );
    await post(
      "link",
      { link: { url: "https://x.ru", preview: { images: { "32x32": 1 } } } },
      "content.link.preview.images",
    );
    await post("item", { item: { item_url: "https://x.ru" } }, "content.item.title");
    await post("location", { location: { lat: 91, lon: 0 } }, "content.location.lat");
    await post(
      "call",
      { call: { status: "missed", target_user_id: 1 } },
      "content.call.target_user_id",
    );
    await post(
      "call",
      { call: { status: "answered", target_user_id: seller.user_id } },
      "content.call.status",
    );
    await post("system", { flow_id: "x" }, "content.text");
    await post("video", { url: "https://x" }, "content");
    await post("sticker", {}, "type");
    // Image and voice messages carry an upload's id (media.test.ts covers the uploads).
    await post("image", {}, "content.image_id");
    await post("image", { image_id: "1234.abc" }, "content.image_id");
    await post("voice", {}, "content.voice");
    await post("voice", { voice: { voice_id: "f".repeat(32) } }, "content.voice.voice_id");
    await expectRefused(
      "POST",
      path,
      { author_id: buyer.user_id, type: "text" },
      400,
      "content.text",
    );
  });

  test("author, chat and quote must fit", async () => {
    const stranger = await api.createAccount("Чужой");
    const path = `/chats/${chatId}/messages`;
    await expectRefused(
      "POST",
      path,
      { author_id: stranger.user_id, type: "text", content: { text: "hi" } },
      400,
      "author_id",
    );
    await expectRefused("POST", path, { type: "text", content: { text: "hi" } }, 400, "author_id");
    await expectRefused(
      "POST",
      "/chats/u2i-unknown/messages",
      { author_id: buyer.user_id, type: "text", content: { text: "hi" } },
      404,
    );
    await expectRefused(
      "POST",
      path,
      { author_id: buyer.user_id, type: "text", content: { text: "hi" }, quote_id: "f".repeat(32) },
      400,
      "quote_id",
    );
    await expectRefused(
      "POST",
      path,
      { author_id: buyer.user_id, type: "text", content: { text: "hi" }, quote_id: "nope" },
      400,
      "quote_id",
    );
  });
});

describe("clock", () => {
  test("reads real time plus the offset and only moves forward", async () => {
    const start = (await api.sandbox<{ now: number; offset_seconds: number }>("GET", "/clock"))
      .body;
    expect(Math.abs(start.now - (start.offset_seconds + Date.now() / 1000))).toBeLessThan(5);
    const advanced = await api.sandbox<{ now: number; offset_seconds: number }>("POST", "/clock", {
      advance_seconds: 7200,
    });
    expect(advanced.status).toBe(200);
    expect(advanced.body.offset_seconds).toBe(start.offset_seconds + 7200);
    expect(advanced.body.now - start.now).toBeGreaterThanOrEqual(7200);
    await expectRefused("POST", "/clock", { advance_seconds: -1 }, 400, "advance_seconds");
    await expectRefused("POST", "/clock", {}, 400, "advance_seconds");
    await expectRefused("POST", "/clock", { advance_seconds: "soon" }, 400, "advance_seconds");
  });

  test("stamps messages and survives a restart", async () => {
    const dataDir = server.dataDir;
    const own = await startTestServer();
    const ownApi = new TestApi(own.url, own.adminToken);
    const now = await ownApi.advanceClock(86_400);
    const a = await ownApi.createAccount("A");
    const b = await ownApi.createAccount("B");
    const { chat_id } = await ownApi.openChat({ type: "u2u", user_ids: [a.user_id, b.user_id] });
    const message = await ownApi.text(chat_id, a.user_id, "Завтра");
    expect(message.created - now).toBeLessThan(5);
    await own.close();
    const again = await startTestServer({ dataDir: own.dataDir });
    const clock = (
      await new TestApi(again.url, again.adminToken).sandbox<{ offset_seconds: number }>(
        "GET",
        "/clock",
      )
    ).body;
    expect(clock.offset_seconds).toBe(86_400);
    await again.stop();
    expect(dataDir).toBe(server.dataDir);
  });
});
