// Wire tolerance (WIRE-NOTES): the forms in which production's clients send query arrays, booleans,
// empty JSON bodies and unknown fields; trailing slashes; unknown paths; refused bodies that leave
// the store untouched; ids as exact JSON numbers.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ChatView } from "../src/domain/views/chat-view.ts";
import type { MessageView } from "../src/domain/views/message-view.ts";
import { type ApiResponse, type RequestOptions, TestApi } from "./helpers/api.ts";
import { assertErrorEnvelope, assertOperationResponse } from "./helpers/contract-validator.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

let server: TestServer;
let api: TestApi;
let world: World;
/** A second item of the seller, with a chat with the stranger and no messages. */
let item2: number;
let chat2: string;
let u2u: string;

beforeAll(async () => {
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
  world = await makeWorld(api);
  item2 = (await api.createItem(world.seller.user_id, "Самокат", "3 000 ₽")).item_id;
  chat2 = (await api.openChat({ type: "u2i", item_id: item2, user_id: world.stranger.user_id }))
    .chat_id;
  u2u = (await api.openChat({ type: "u2u", user_ids: [world.seller.user_id, world.buyer.user_id] }))
    .chat_id;
});
afterAll(() => server.stop());

interface ErrorBody {
  error: { code: number; message: string; fields?: Record<string, string> };
}

function sorted(ids: readonly string[]): string[] {
  return [...ids].sort();
}

function chatsPath(userId: number = world.seller.user_id): string {
  return api.pathOf("getChatsV2", { user_id: userId });
}

/** The seller's chats with a query string sent exactly as written; the body is validated. */
async function rawChats(query: string): Promise<ApiResponse<{ chats: ChatView[] }>> {
  const response = await api.request<{ chats: ChatView[] }>("GET", `${chatsPath()}?${query}`, {
    token: world.sellerToken,
  });
  if (response.status === 200) assertOperationResponse("getChatsV2", response.body);
  else assertErrorEnvelope(response.status, response.body);
  return response;
}

async function rawChatIds(query: string): Promise<string[]> {
  const response = await rawChats(query);
  expect(response.status, `${query}: ${response.text}`).toBe(200);
  return response.body.chats.map((c) => c.id);
}

/** Asserts a 400 validation envelope whose fields name `field` (or an element of it). */
function expectFieldError(response: ApiResponse, field: string): void {
  expect(response.status, response.text).toBe(400);
  const body = response.body as ErrorBody;
  expect(body.error.code).toBe(400);
  expect(body.error.message).toEqual(expect.any(String));
  const names = Object.keys(body.error.fields ?? {});
  expect(
    names.some((n) => n === field || n.startsWith(`${field}.`) || n.startsWith(`${field}[`)),
    `fields ${JSON.stringify(body.error.fields)} do not name ${field}`,
  ).toBe(true);
}

describe("query arrays", () => {
  test("chat_types as repeated keys, a comma list and name[] give the same chats", async () => {
    const expected = sorted([world.chatId, chat2, u2u]);
    const forms = [
      "chat_types=u2i&chat_types=u2u",
      "chat_types=u2i,u2u",
      "chat_types=u2i%2Cu2u",
      "chat_types[]=u2i&chat_types[]=u2u",
      "chat_types%5B%5D=u2i&chat_types%5B%5D=u2u",
      "chat_types[]=u2i,u2u",
      "chat_types=u2i&chat_types[]=u2u",
      "chat_types=u2i,&chat_types=,u2u",
    ];
    for (const form of forms) expect(sorted(await rawChatIds(form)), form).toEqual(expected);
  });

  test("a single chat type in any form is a one-element array", async () => {
    for (const form of ["chat_types=u2u", "chat_types[]=u2u", "chat_types=u2u,"]) {
      expect(await rawChatIds(form), form).toEqual([u2u]);
    }
  });

  test("the forms keep the order of newest activity", async () => {
    const reference = await rawChatIds("chat_types=u2i&chat_types=u2u");
    expect(await rawChatIds("chat_types=u2u,u2i")).toEqual(reference);
    expect(await rawChatIds("chat_types[]=u2u&chat_types[]=u2i")).toEqual(reference);
  });

  test("item_ids as a comma list, repeated keys and name[] give the same chats", async () => {
    const a = world.itemId;
    const b = item2;
    const expected = sorted([world.chatId, chat2]);
    const forms = [
      `item_ids=${a},${b}`,
      `item_ids=${a}&item_ids=${b}`,
      `item_ids[]=${a}&item_ids[]=${b}`,
      `item_ids%5B%5D=${a}&item_ids%5B%5D=${b}`,
      `item_ids=${a}%2C${b}`,
      `item_ids=${a},%20${b}`,
    ];
    for (const form of forms) expect(sorted(await rawChatIds(form)), form).toEqual(expected);
    for (const form of [`item_ids=${b}`, `item_ids[]=${b}`, `item_ids=${b},`]) {
      expect(await rawChatIds(form), form).toEqual([chat2]);
    }
  });

  test("a bad element in any form is refused naming item_ids or chat_types", async () => {
    expectFieldError(await rawChats(`item_ids=${item2},abc`), "item_ids");
    expectFieldError(await rawChats(`item_ids[]=abc`), "item_ids");
    expectFieldError(await rawChats("chat_types=u2i,x2y"), "chat_types");
    expectFieldError(await rawChats("chat_types[]=u2i&chat_types[]=nope"), "chat_types");
  });

  test("an item id beyond JSON's safe integers is refused, not rounded", async () => {
    expectFieldError(await rawChats("item_ids=9007199254740993"), "item_ids");
  });
});

describe("numbers", () => {
  test.each([
    "limit=0x10",
    "limit=1e1",
    "limit=10.0",
    "limit=%2010",
    "offset=",
    "item_ids=0x10",
    "item_ids=1e3",
  ])("%s is not a decimal integer and is refused", async (query) => {
    const response = await rawChats(query);
    expectFieldError(response, query.split("=")[0] as string);
  });

  test("decimal integers with a sign or leading zeros are read as numbers", async () => {
    expect(await rawChatIds("limit=010")).toEqual(await rawChatIds("limit=10"));
    expectFieldError(await rawChats("offset=-0001"), "offset");
  });
});

describe("booleans", () => {
  // The world's chat holds a message from the buyer that the seller never read; chat2 is empty.
  test("unread_only=true/True and false/False mean the same", async () => {
    const unread = [world.chatId];
    const all = sorted([world.chatId, chat2]);
    for (const form of ["unread_only=true", "unread_only=True", "unread_only=TRUE"]) {
      expect(await rawChatIds(form), form).toEqual(unread);
    }
    for (const form of ["unread_only=false", "unread_only=False", "unread_only=FALSE"]) {
      expect(sorted(await rawChatIds(form)), form).toEqual(all);
    }
  });

  test("unread_only=yes is refused naming unread_only", async () => {
    const response = await rawChats("unread_only=yes");
    expectFieldError(response, "unread_only");
    expect(Object.keys((response.body as unknown as ErrorBody).error.fields ?? {})).toEqual([
      "unread_only",
    ]);
  });
});

describe("JSON bodies", () => {
  function sendPath(chatId: string = world.chatId): string {
    return api.pathOf("postSendMessage", { user_id: world.seller.user_id, chat_id: chatId });
  }

  async function history(chatId: string = world.chatId): Promise<MessageView[]> {
    const response = await api.call<MessageView[]>("getMessagesV3", {
      token: world.sellerToken,
      params: { user_id: world.seller.user_id, chat_id: chatId },
    });
    expect(response.status).toBe(200);
    return response.body;
  }

  test("POST …/read with a JSON content type and an empty body answers 200", async () => {
    for (const headers of [
      { "content-type": "application/json" },
      { "content-type": "application/json; charset=utf-8" },
    ]) {
      const response = await api.call("chatRead", {
        token: world.sellerToken,
        params: { user_id: world.seller.user_id, chat_id: chat2 },
        json: "",
        headers,
      });
      expect(response.status, response.text).toBe(200);
      expect(response.body).toEqual({ ok: true });
    }
  });

  test("POST …/read with {} and with no body at all answers 200", async () => {
    for (const options of [{ json: {} }, {}] as RequestOptions[]) {
      const response = await api.call("chatRead", {
        ...options,
        token: world.sellerToken,
        params: { user_id: world.seller.user_id, chat_id: chat2 },
      });
      expect(response.status, response.text).toBe(200);
    }
  });

  test("delete with a JSON content type and an empty body answers 200", async () => {
    const sent = await api.call<{ id: string }>("postSendMessage", {
      token: world.sellerToken,
      params: { user_id: world.seller.user_id, chat_id: chat2 },
      json: { message: { text: "Удалю сейчас" }, type: "text" },
    });
    expect(sent.status).toBe(200);
    const response = await api.call("deleteMessage", {
      token: world.sellerToken,
      params: { user_id: world.seller.user_id, chat_id: chat2, message_id: sent.body.id },
      json: "",
    });
    expect(response.status, response.text).toBe(200);
    expect((await history(chat2)).find((m) => m.id === sent.body.id)?.type).toBe("deleted");
  });

  test("unknown JSON fields in a send-message body are ignored", async () => {
    const response = await api.call<{ id: string; content: unknown }>("postSendMessage", {
      token: world.sellerToken,
      params: { user_id: world.seller.user_id, chat_id: world.chatId },
      json: {
        message: { text: "С лишними полями", format: "markdown" },
        type: "text",
        events: ["message"],
        client_message_id: 42,
      },
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body.content).toEqual({ text: "С лишними полями" });
    const stored = (await history()).find((m) => m.id === response.body.id);
    expect(stored?.content).toEqual({ text: "С лишними полями" });
    expect(stored?.type).toBe("text");
  });

  test("a body that is not JSON answers the 400 envelope and changes nothing", async () => {
    for (const body of ["{not json", '{"message":{"text":"x"},"type":"text"', "[1,", "nul"]) {
      const before = await storeSnapshot(server.ctx.store);
      const response = await api.request("POST", sendPath(), {
        token: world.sellerToken,
        json: body,
      });
      expect(response.status, body).toBe(400);
      assertErrorEnvelope(400, response.body);
      expect(response.body).toEqual({ error: { code: 400, message: expect.any(String) } });
      expect(await storeSnapshot(server.ctx.store)).toBe(before);
    }
  });

  test("a wrong content type on send answers the 415 envelope and changes nothing", async () => {
    for (const contentType of [
      "text/plain",
      "application/xml",
      "multipart/form-data; boundary=x",
    ]) {
      const before = await storeSnapshot(server.ctx.store);
      const response = await api.request("POST", sendPath(), {
        token: world.sellerToken,
        json: JSON.stringify({ message: { text: "x" }, type: "text" }),
        headers: { "content-type": contentType },
      });
      expect(response.status, contentType).toBe(415);
      assertErrorEnvelope(415, response.body);
      expect(response.body).toEqual({ error: { code: 415, message: expect.any(String) } });
      expect(await storeSnapshot(server.ctx.store)).toBe(before);
    }
  });
});

describe("send-message bodies", () => {
  const bad: [string, unknown, string][] = [
    ["missing message", { type: "text" }, "message"],
    ["missing type", { message: { text: "Привет" } }, "type"],
    ['type "image"', { message: { text: "Привет" }, type: "image" }, "type"],
    ["missing text", { message: {}, type: "text" }, "message.text"],
    [
      "text of 1001 characters",
      { message: { text: "ж".repeat(1001) }, type: "text" },
      "message.text",
    ],
    ["empty text", { message: { text: "" }, type: "text" }, "message.text"],
    ["message not an object", { message: "Привет", type: "text" }, "message"],
    // Bodies are taken as sent: a number is not text and an array is not a type.
    ["text as a number", { message: { text: 5 }, type: "text" }, "message.text"],
    ["type as an array", { message: { text: "Привет" }, type: ["text"] }, "type"],
    ["an empty object", {}, "message"],
  ];

  test.each(bad)("%s answers 400 with fields and changes nothing", async (_name, body, field) => {
    const before = await storeSnapshot(server.ctx.store);
    const response = await api.call("postSendMessage", {
      token: world.sellerToken,
      params: { user_id: world.seller.user_id, chat_id: world.chatId },
      json: body,
    });
    expectFieldError(response, field);
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test("missing message and type are both named at once", async () => {
    const response = await api.call("postSendMessage", {
      token: world.sellerToken,
      params: { user_id: world.seller.user_id, chat_id: world.chatId },
      json: {},
    });
    expectFieldError(response, "message");
    expectFieldError(response, "type");
  });

  test("a JSON content type with an empty body on send is refused, not sent", async () => {
    const before = await storeSnapshot(server.ctx.store);
    const response = await api.call("postSendMessage", {
      token: world.sellerToken,
      params: { user_id: world.seller.user_id, chat_id: world.chatId },
      json: "",
    });
    expect(response.status).toBe(400);
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test("1000 characters are counted as characters, not bytes, and arrive whole", async () => {
    const text = `${"ж".repeat(999)}ё`;
    expect(Buffer.byteLength(text)).toBe(2000);
    const response = await api.call<{ id: string; content: { text: string } }>("postSendMessage", {
      token: world.sellerToken,
      params: { user_id: world.seller.user_id, chat_id: world.chatId },
      json: { message: { text }, type: "text" },
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body.content.text).toBe(text);
    const chat = await api.call<ChatView>("getChatByIdV2", {
      token: world.buyerToken,
      params: { user_id: world.buyer.user_id, chat_id: world.chatId },
    });
    expect(chat.body.last_message?.content).toEqual({ text });
  });
});

describe("paths", () => {
  test("the v3 messages path answers with and without its trailing slash", async () => {
    const path = api.pathOf("getMessagesV3", {
      user_id: world.seller.user_id,
      chat_id: world.chatId,
    });
    expect(path.endsWith("/messages/")).toBe(true);
    const withSlash = await api.request("GET", path, { token: world.sellerToken });
    const without = await api.request("GET", path.slice(0, -1), { token: world.sellerToken });
    expect(withSlash.status).toBe(200);
    expect(without.status).toBe(200);
    assertOperationResponse("getMessagesV3", withSlash.body);
    assertOperationResponse("getMessagesV3", without.body);
    expect(without.body).toEqual(withSlash.body);
    expect(Array.isArray(without.body)).toBe(true);
  });

  test("POST /token and /token/ both issue working tokens", async () => {
    for (const path of ["/token", "/token/"]) {
      const response = await api.request<{ access_token: string; token_type: string }>(
        "POST",
        path,
        {
          form: {
            grant_type: "client_credentials",
            client_id: world.seller.client_id,
            client_secret: world.seller.client_secret,
          },
        },
      );
      expect(response.status, path).toBe(200);
      expect(response.body.token_type).toBe("Bearer");
      const chats = await api.call("getChatsV2", {
        token: response.body.access_token,
        params: { user_id: world.seller.user_id },
      });
      expect(chats.status, path).toBe(200);
    }
  });

  test("GET /token/ with query parameters works as one popular bot calls it", async () => {
    const response = await api.request<{ access_token: string }>("GET", "/token/", {
      query: {
        grant_type: "client_credentials",
        client_id: world.seller.client_id,
        client_secret: world.seller.client_secret,
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.access_token).toEqual(expect.any(String));
  });

  const unknown: [string, string][] = [
    ["GET", "/nope"],
    ["GET", "/messenger/v9/x"],
    ["GET", "/messenger/v1/subscriptions"],
    ["POST", "/messenger/v9/accounts/1/chats"],
  ];
  test.each(unknown)(
    "%s %s answers the 404 envelope, with or without a token",
    async (method, path) => {
      for (const token of [undefined, world.sellerToken]) {
        const response = await api.request(method, path, token ? { token } : {});
        expect(response.status).toBe(404);
        expect(response.body).toEqual({ error: { code: 404, message: expect.any(String) } });
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      }
    },
  );

  test("a user_id that is not an integer answers 400 naming user_id", async () => {
    const paths = [
      "/messenger/v2/accounts/abc/chats",
      "/messenger/v2/accounts/12.5/chats",
      "/messenger/v2/accounts/99999999999999999999/chats",
      `/messenger/v2/accounts/abc/chats/${world.chatId}`,
      `/messenger/v3/accounts/abc/chats/${world.chatId}/messages/`,
    ];
    for (const path of paths) {
      const response = await api.request("GET", path, { token: world.sellerToken });
      assertErrorEnvelope(response.status, response.body);
      expectFieldError(response, "user_id");
    }
    const before = await storeSnapshot(server.ctx.store);
    const send = await api.request(
      "POST",
      `/messenger/v1/accounts/abc/chats/${world.chatId}/messages`,
      {
        token: world.sellerToken,
        json: { message: { text: "x" }, type: "text" },
      },
    );
    expectFieldError(send, "user_id");
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });
});

describe("ids", () => {
  test("ids in JSON are numbers, never strings", async () => {
    const chats = await api.call<{ chats: ChatView[] }>("getChatsV2", {
      token: world.sellerToken,
      params: { user_id: world.seller.user_id },
      query: { chat_types: ["u2i", "u2u"] },
    });
    expect(chats.status).toBe(200);
    const messages = await api.call("getMessagesV3", {
      token: world.sellerToken,
      params: { user_id: world.seller.user_id, chat_id: world.chatId },
    });
    for (const text of [chats.text, messages.text]) {
      expect(text).not.toMatch(/"(id|user_id|author_id|item_id)":"?\d+"/);
      expect(text).toMatch(/"(user_id|author_id)":\d+/);
    }
    for (const chat of chats.body.chats) {
      for (const user of chat.users) {
        expect(typeof user.id).toBe("number");
        expect(typeof user.public_user_profile.user_id).toBe("number");
      }
      if (chat.context) expect(typeof chat.context.value.id).toBe("number");
    }
  });

  test("user and item ids above 2^31 round-trip exactly", async () => {
    // User ids are random 8-10 digit numbers; most are above 2^31. Take the first that is.
    let big = null as Awaited<ReturnType<TestApi["createAccount"]>> | null;
    for (let i = 0; i < 64 && !big; i++) {
      const account = await api.createAccount(`Большой ${i}`);
      if (account.user_id > 2 ** 31) big = account;
    }
    if (!big) throw new Error("no user id above 2^31 in 64 accounts");
    const token = await api.token(big);
    const { item_id: itemId } = await api.createItem(big.user_id, "Дорогой лот");
    expect(itemId).toBeGreaterThan(2 ** 31);
    const { chat_id: chatId } = await api.openChat({
      type: "u2i",
      item_id: itemId,
      user_id: world.buyer.user_id,
    });
    await api.text(chatId, big.user_id, "Здравствуйте");

    const response = await api.call<{ chats: ChatView[] }>("getChatsV2", {
      token,
      params: { user_id: big.user_id },
      query: { item_ids: itemId },
    });
    expect(response.status).toBe(200);
    const [chat] = response.body.chats;
    expect(chat?.id).toBe(chatId);
    expect(chat?.context?.value.id).toBe(itemId);
    expect(chat?.context?.value.user_id).toBe(big.user_id);
    expect(chat?.last_message?.author_id).toBe(big.user_id);
    const owner = chat?.users.find((u) => u.id === big.user_id);
    expect(owner?.public_user_profile).toMatchObject({ user_id: big.user_id, item_id: itemId });
    // The digits on the wire are the ids' own, not a rounded or quoted rendering.
    expect(response.text).toContain(`"id":${itemId},`);
    expect(response.text).toContain(`"user_id":${big.user_id}`);
    expect(response.text).toContain(`"author_id":${big.user_id},`);
    expect(response.text).toContain(`"item_id":${itemId}`);
    // No number on the wire is written in exponent form.
    expect(response.text).not.toMatch(/[:,[]-?\d+(\.\d+)?[eE][+-]?\d/);
  });
});
