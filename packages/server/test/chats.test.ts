// getChatsV2 and getChatByIdV2: filters (chat_types, item_ids, unread_only), ordering by newest
// activity, paging and its bounds, what a chat object holds, and that every link in it resolves.
// Every body goes through api.call, which validates it against the document with closed objects.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ChatView } from "../src/domain/views/chat-view.ts";
import { type ApiResponse, type Credentials, type RequestOptions, TestApi } from "./helpers/api.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

let server: TestServer;
let api: TestApi;

beforeAll(async () => {
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
});
afterAll(() => server.stop());

const AVATAR_SIZES = [
  "24x24",
  "36x36",
  "48x48",
  "64x64",
  "72x72",
  "96x96",
  "128x128",
  "192x192",
  "256x256",
];
const CHAT_ID = /^(u2i|u2u|a2u)-[A-Za-z0-9_~]{22}$/;

interface ErrorBody {
  error: { code: number; message: string; fields?: Record<string, string> };
}

/** An account with its personal token. */
interface Member extends Credentials {
  token: string;
}

async function member(name: string): Promise<Member> {
  const credentials = await api.createAccount(name);
  return { ...credentials, token: await api.token(credentials) };
}

type ChatsQuery = RequestOptions["query"];

function chatsOf(who: Member, query?: ChatsQuery): Promise<ApiResponse<{ chats: ChatView[] }>> {
  return api.call<{ chats: ChatView[] }>("getChatsV2", {
    token: who.token,
    params: { user_id: who.user_id },
    ...(query ? { query } : {}),
  });
}

/** The ids of the chats `who` sees with `query`, in the order they come; asserts a 200. */
async function listed(who: Member, query?: ChatsQuery): Promise<string[]> {
  const response = await chatsOf(who, query);
  expect(response.status, response.text).toBe(200);
  return response.body.chats.map((c) => c.id);
}

function chatOf(who: Member, chatId: string): Promise<ApiResponse<ChatView>> {
  return api.call<ChatView>("getChatByIdV2", {
    token: who.token,
    params: { user_id: who.user_id, chat_id: chatId },
  });
}

async function u2i(itemId: number, buyer: Member): Promise<string> {
  return (await api.openChat({ type: "u2i", item_id: itemId, user_id: buyer.user_id })).chat_id;
}

function sorted(ids: readonly string[]): string[] {
  return [...ids].sort();
}

describe("filters", () => {
  let seller: Member;
  let buyer1: Member;
  let buyer2: Member;
  let buyer3: Member;
  let item1: number;
  let item2: number;
  let item3: number;
  /** item1×buyer1, item1×buyer2, item2×buyer1, item3×buyer3 */
  let c1: string;
  let c2: string;
  let c3: string;
  let c4: string;
  let u2u: string;
  let a2u: string;

  beforeAll(async () => {
    seller = await member("Продавец фильтров");
    buyer1 = await member("Покупатель 1");
    buyer2 = await member("Покупатель 2");
    buyer3 = await member("Покупатель 3");
    item1 = (await api.createItem(seller.user_id, "Диван")).item_id;
    item2 = (await api.createItem(seller.user_id, "Кресло")).item_id;
    item3 = (await api.createItem(seller.user_id, "Стол")).item_id;
    c1 = await u2i(item1, buyer1);
    c2 = await u2i(item1, buyer2);
    c3 = await u2i(item2, buyer1);
    c4 = await u2i(item3, buyer3);
    u2u = (await api.openChat({ type: "u2u", user_ids: [seller.user_id, buyer1.user_id] })).chat_id;
    a2u = (await api.openChat({ type: "a2u", user_id: seller.user_id })).chat_id;
    for (const chatId of [c1, c2, c3, c4, u2u, a2u]) {
      await api.advanceClock(60);
      const author = chatId === a2u ? undefined : chatId === c4 ? buyer3 : buyer1;
      if (chatId === c2) await api.text(chatId, buyer2.user_id, "Добрый день");
      else if (author) await api.text(chatId, author.user_id, "Здравствуйте");
    }
  });

  test("item ids exceed 2^31 and chat ids have production's shape", () => {
    for (const id of [item1, item2, item3]) {
      expect(id).toBeGreaterThan(2 ** 31);
      expect(Number.isSafeInteger(id)).toBe(true);
    }
    for (const id of [c1, c2, c3, c4]) expect(id).toMatch(/^u2i-[A-Za-z0-9_~]{22}$/);
    expect(u2u).toMatch(/^u2u-[A-Za-z0-9_~]{22}$/);
    expect(a2u).toMatch(/^a2u-[A-Za-z0-9_~]{22}$/);
  });

  test("without chat_types only u2i chats are listed: the u2u and a2u chats are not", async () => {
    const ids = await listed(seller);
    expect(sorted(ids)).toEqual(sorted([c1, c2, c3, c4]));
    expect(ids).not.toContain(u2u);
    expect(ids).not.toContain(a2u);
  });

  test("chat_types=u2i is the default made explicit", async () => {
    expect(await listed(seller, { chat_types: "u2i" })).toEqual(await listed(seller));
  });

  test("chat_types=u2u lists only the u2u chat", async () => {
    expect(await listed(seller, { chat_types: "u2u" })).toEqual([u2u]);
    expect(await listed(buyer1, { chat_types: "u2u" })).toEqual([u2u]);
    expect(await listed(buyer2, { chat_types: "u2u" })).toEqual([]);
  });

  test("chat_types=a2u lists only the chat with Avito", async () => {
    expect(await listed(seller, { chat_types: "a2u" })).toEqual([a2u]);
    expect(await listed(buyer1, { chat_types: "a2u" })).toEqual([]);
  });

  test("chat_types combine", async () => {
    expect(sorted(await listed(seller, { chat_types: ["u2i", "u2u"] }))).toEqual(
      sorted([c1, c2, c3, c4, u2u]),
    );
    expect(sorted(await listed(seller, { chat_types: ["u2u", "a2u"] }))).toEqual(
      sorted([u2u, a2u]),
    );
    expect(sorted(await listed(seller, { chat_types: ["u2i", "a2u"] }))).toEqual(
      sorted([c1, c2, c3, c4, a2u]),
    );
    expect(sorted(await listed(seller, { chat_types: ["u2i", "u2u", "a2u"] }))).toEqual(
      sorted([c1, c2, c3, c4, u2u, a2u]),
    );
  });

  test("an unknown chat type is refused naming chat_types", async () => {
    const response = await chatsOf(seller, { chat_types: "x2y" });
    expect(response.status).toBe(400);
    const fields = (response.body as unknown as ErrorBody).error.fields ?? {};
    expect(Object.keys(fields).some((k) => k.startsWith("chat_types"))).toBe(true);
  });

  test("a buyer sees the u2i chats it takes part in, whoever owns the item", async () => {
    expect(sorted(await listed(buyer1))).toEqual(sorted([c1, c3]));
    expect(await listed(buyer2)).toEqual([c2]);
    expect(await listed(buyer3)).toEqual([c4]);
  });

  test("item_ids with one item lists that item's chats only", async () => {
    expect(sorted(await listed(seller, { item_ids: item1 }))).toEqual(sorted([c1, c2]));
    expect(await listed(seller, { item_ids: item2 })).toEqual([c3]);
    expect(await listed(buyer1, { item_ids: item1 })).toEqual([c1]);
    expect(await listed(buyer2, { item_ids: item2 })).toEqual([]);
  });

  test("item_ids with several items lists the chats of any of them", async () => {
    expect(sorted(await listed(seller, { item_ids: [item1, item3] }))).toEqual(
      sorted([c1, c2, c4]),
    );
    expect(sorted(await listed(seller, { item_ids: [item1, item2, item3] }))).toEqual(
      sorted([c1, c2, c3, c4]),
    );
  });

  test("item_ids keeps only item chats even when chat_types asks for u2u and a2u too", async () => {
    expect(
      sorted(await listed(seller, { item_ids: item1, chat_types: ["u2i", "u2u", "a2u"] })),
    ).toEqual(sorted([c1, c2]));
  });

  test("item_ids of an item with no chats, or of no item at all, lists nothing", async () => {
    const lonely = (await api.createItem(seller.user_id, "Шкаф")).item_id;
    expect(await listed(seller, { item_ids: lonely })).toEqual([]);
    expect(await listed(seller, { item_ids: 9_999_999_999 })).toEqual([]);
  });

  test("the item id of each listed chat is the one asked for, exactly", async () => {
    const response = await chatsOf(seller, { item_ids: item3 });
    expect(response.body.chats.map((c) => c.context?.value.id)).toEqual([item3]);
    expect(response.text).toContain(`"id":${item3}`);
  });

  test("item_ids that are not integers are refused naming item_ids", async () => {
    const response = await chatsOf(seller, { item_ids: "abc" });
    expect(response.status).toBe(400);
    const fields = (response.body as unknown as ErrorBody).error.fields ?? {};
    expect(Object.keys(fields).some((k) => k.startsWith("item_ids"))).toBe(true);
  });
});

describe("unread_only", () => {
  let seller: Member;
  let buyer: Member;
  let quiet: string;
  let chatId: string;

  beforeAll(async () => {
    seller = await member("Продавец непрочитанного");
    buyer = await member("Покупатель непрочитанного");
    const item = (await api.createItem(seller.user_id, "Лампа")).item_id;
    chatId = await u2i(item, buyer);
    const other = await member("Молчун");
    quiet = await u2i(item, other);
  });

  const read = (who: Member) =>
    api.call("chatRead", {
      token: who.token,
      params: { user_id: who.user_id, chat_id: chatId },
    });

  test("a chat without messages is not unread for anyone", async () => {
    expect(await listed(seller, { unread_only: true })).toEqual([]);
    expect(await listed(buyer, { unread_only: true })).toEqual([]);
    expect(sorted(await listed(seller, { unread_only: false }))).toEqual(sorted([chatId, quiet]));
  });

  test("a buyer's message makes the chat unread for the seller, not for the buyer", async () => {
    await api.advanceClock(30);
    await api.text(chatId, buyer.user_id, "Можно посмотреть сегодня?");
    expect(await listed(seller, { unread_only: true })).toEqual([chatId]);
    expect(await listed(buyer, { unread_only: true })).toEqual([]);
  });

  test("two messages still list the chat once", async () => {
    await api.advanceClock(30);
    await api.text(chatId, buyer.user_id, "В любое время после шести");
    expect(await listed(seller, { unread_only: true })).toEqual([chatId]);
  });

  test("reading the messages does not mark the chat read", async () => {
    const messages = await api.call("getMessagesV3", {
      token: seller.token,
      params: { user_id: seller.user_id, chat_id: chatId },
    });
    expect(messages.status).toBe(200);
    expect(await listed(seller, { unread_only: true })).toEqual([chatId]);
  });

  test("POST …/read by the seller clears it for the seller", async () => {
    const response = await read(seller);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true });
    expect(await listed(seller, { unread_only: true })).toEqual([]);
    expect(sorted(await listed(seller, { unread_only: false }))).toEqual(sorted([chatId, quiet]));
  });

  test("the seller's reply makes it unread for the buyer, and the seller's read leaves that", async () => {
    await api.advanceClock(30);
    const sent = await api.call("postSendMessage", {
      token: seller.token,
      params: { user_id: seller.user_id, chat_id: chatId },
      json: { message: { text: "Приезжайте к семи" }, type: "text" },
    });
    expect(sent.status).toBe(200);
    expect(await listed(buyer, { unread_only: true })).toEqual([chatId]);
    expect(await listed(seller, { unread_only: true })).toEqual([]);
    await read(seller);
    expect(await listed(buyer, { unread_only: true })).toEqual([chatId]);
  });

  test("the buyer's own read clears it for the buyer", async () => {
    const response = await read(buyer);
    expect(response.status).toBe(200);
    expect(await listed(buyer, { unread_only: true })).toEqual([]);
    expect(await listed(buyer, { unread_only: false })).toEqual([chatId]);
  });

  test("unread_only combines with item_ids and chat_types", async () => {
    await api.advanceClock(30);
    await api.text(chatId, buyer.user_id, "Договорились");
    const item = (await chatOf(seller, chatId)).body.context?.value.id;
    expect(item).toBeDefined();
    expect(await listed(seller, { unread_only: true, item_ids: item ?? 0 })).toEqual([chatId]);
    expect(await listed(seller, { unread_only: true, chat_types: "u2u" })).toEqual([]);
  });
});

describe("ordering", () => {
  let seller: Member;
  let buyers: Member[];
  let chats: string[];

  beforeAll(async () => {
    seller = await member("Продавец порядка");
    buyers = [];
    for (const name of ["А", "Б", "В"]) buyers.push(await member(`Покупатель ${name}`));
    const item = (await api.createItem(seller.user_id, "Гитара")).item_id;
    chats = [];
    for (const buyer of buyers) {
      await api.advanceClock(60);
      const chatId = await u2i(item, buyer);
      await api.text(chatId, buyer.user_id, "Здравствуйте");
      chats.push(chatId);
    }
  });

  test("newest activity comes first", async () => {
    const [a, b, c] = chats;
    expect(await listed(seller)).toEqual([c, b, a]);
  });

  test("a message in the oldest chat moves it to the top", async () => {
    const [a, b, c] = chats as [string, string, string];
    const buyerA = buyers[0] as Member;
    await api.advanceClock(60);
    await api.text(a, buyerA.user_id, "Ещё актуально?");
    expect(await listed(seller)).toEqual([a, c, b]);
    expect(await listed(buyerA)).toEqual([a]);
  });

  test("the account's own message moves a chat to the top as well", async () => {
    const [a, b, c] = chats as [string, string, string];
    await api.advanceClock(60);
    const sent = await api.call("postSendMessage", {
      token: seller.token,
      params: { user_id: seller.user_id, chat_id: b },
      json: { message: { text: "Да, актуально" }, type: "text" },
    });
    expect(sent.status).toBe(200);
    expect(await listed(seller)).toEqual([b, a, c]);
  });

  test("`updated` of each chat falls from the first to the last", async () => {
    const updated = (await chatsOf(seller)).body.chats.map((c) => c.updated);
    expect(updated).toEqual([...updated].sort((x, y) => y - x));
    expect(new Set(updated).size).toBe(updated.length);
  });

  test("a new chat without messages sorts by its creation", async () => {
    await api.advanceClock(60);
    const late = await member("Поздний покупатель");
    const item = (await api.createItem(seller.user_id, "Барабан")).item_id;
    const fresh = await u2i(item, late);
    const ids = await listed(seller);
    expect(ids[0]).toBe(fresh);
    expect(ids).toHaveLength(4);
  });
});

describe("paging", () => {
  let seller: Member;
  /** Newest activity first. */
  let expected: string[];

  beforeAll(async () => {
    seller = await member("Продавец страниц");
    const item = (await api.createItem(seller.user_id, "Велосипед")).item_id;
    const opened: string[] = [];
    for (let i = 0; i < 7; i++) {
      const buyer = await api.createAccount(`Покупатель ${i + 1}`);
      await api.advanceClock(10);
      const chatId = (await api.openChat({ type: "u2i", item_id: item, user_id: buyer.user_id }))
        .chat_id;
      await api.text(chatId, buyer.user_id, `Сообщение ${i + 1}`);
      opened.push(chatId);
    }
    expected = opened.reverse();
  });

  test("without limit all 7 come, newest first", async () => {
    expect(await listed(seller)).toEqual(expected);
  });

  test("limit 3 pages through 3, 3 and 1 chats, then nothing", async () => {
    const pages: string[][] = [];
    for (const offset of [0, 3, 6, 9]) pages.push(await listed(seller, { limit: 3, offset }));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1, 0]);
    expect(pages.flat()).toEqual(expected);
  });

  test("offset without limit skips, limit without offset starts at the top", async () => {
    expect(await listed(seller, { offset: 5 })).toEqual(expected.slice(5));
    expect(await listed(seller, { limit: 1 })).toEqual(expected.slice(0, 1));
    expect(await listed(seller, { limit: 100, offset: 0 })).toEqual(expected);
  });

  test("offset 1000 is allowed and answers an empty page", async () => {
    const response = await chatsOf(seller, { offset: 1000 });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ chats: [] });
  });

  const bad: [string, Record<string, string | number>, string[]][] = [
    ["limit 0", { limit: 0 }, ["limit"]],
    ["limit 101", { limit: 101 }, ["limit"]],
    ["offset -1", { offset: -1 }, ["offset"]],
    ["offset 1001", { offset: 1001 }, ["offset"]],
    ["limit=abc", { limit: "abc" }, ["limit"]],
    ["offset=1.5", { offset: "1.5" }, ["offset"]],
    ["limit 0 and offset 1001", { limit: 0, offset: 1001 }, ["limit", "offset"]],
    ["limit=abc and offset -1", { limit: "abc", offset: -1 }, ["limit", "offset"]],
  ];
  test.each(bad)("%s answers 400 naming each bad field", async (_name, query, names) => {
    const response = await chatsOf(seller, query);
    expect(response.status).toBe(400);
    const body = response.body as unknown as ErrorBody;
    expect(body).toEqual({
      error: { code: 400, message: expect.any(String), fields: expect.any(Object) },
    });
    expect(sorted(Object.keys(body.error.fields ?? {}))).toEqual(sorted(names));
    for (const name of names) expect(body.error.fields?.[name]).toEqual(expect.any(String));
  });
});

describe("a chat's content", () => {
  let seller: Member;
  let buyer: Member;
  let itemId: number;
  let chatId: string;
  let buyerMessage: { id: string; created: number };

  beforeAll(async () => {
    seller = await member("Ирина");
    buyer = await member("Олег");
    itemId = (await api.createItem(seller.user_id, "Фотоаппарат Зенит", "7 000 ₽")).item_id;
    chatId = await u2i(itemId, buyer);
    await api.advanceClock(60);
    buyerMessage = await api.text(chatId, buyer.user_id, "Объектив в комплекте?");
  });

  async function sellerView(): Promise<ChatView> {
    const chats = (await chatsOf(seller)).body.chats;
    const chat = chats.find((c) => c.id === chatId);
    if (!chat) throw new Error(`chat ${chatId} is not listed`);
    return chat;
  }

  test("id, created and updated", async () => {
    const chat = await sellerView();
    expect(chat.id).toMatch(/^u2i-[A-Za-z0-9_~]{22}$/);
    expect(Number.isInteger(chat.created)).toBe(true);
    expect(chat.updated).toBe(buyerMessage.created);
    expect(chat.updated).toBeGreaterThanOrEqual(chat.created + 60);
  });

  test("context is the item", async () => {
    const chat = await sellerView();
    expect(chat.context).toEqual({
      type: "item",
      value: {
        id: itemId,
        title: "Фотоаппарат Зенит",
        price_string: "7 000 ₽",
        status_id: 10,
        url: expect.any(String),
        user_id: seller.user_id,
        images: { count: 1, main: { "140x105": expect.any(String) } },
      },
    });
    expect(typeof chat.context?.value.id).toBe("number");
    expect(typeof chat.context?.value.user_id).toBe("number");
  });

  test("a removed item's chat carries its status", async () => {
    const removed = await api.sandbox<{ item_id: number }>(
      "POST",
      `/accounts/${seller.user_id}/items`,
      { title: "Проданный штатив", price_string: "500 ₽", status_id: 20 },
    );
    expect(removed.status).toBe(201);
    const other = await u2i(removed.body.item_id, buyer);
    const chat = (await chatOf(seller, other)).body;
    expect(chat.context?.value.status_id).toBe(20);
    expect(chat.context?.value.id).toBe(removed.body.item_id);
  });

  test("users are both participants with their public profiles; item_id only on the owner", async () => {
    const chat = await sellerView();
    expect(chat.users).toHaveLength(2);
    const byId = new Map(chat.users.map((u) => [u.id, u]));
    expect(sorted([...byId.keys()].map(String))).toEqual(
      sorted([seller.user_id, buyer.user_id].map(String)),
    );
    for (const [account, isOwner] of [
      [seller, true],
      [buyer, false],
    ] as const) {
      const user = byId.get(account.user_id);
      expect(user).toEqual({
        id: account.user_id,
        name: account.name,
        public_user_profile: {
          user_id: account.user_id,
          ...(isOwner ? { item_id: itemId } : {}),
          url: expect.any(String),
          avatar: { default: expect.any(String), images: expect.any(Object) },
        },
      });
      expect(sorted(Object.keys(user?.public_user_profile.avatar.images ?? {}))).toEqual(
        sorted(AVATAR_SIZES),
      );
      for (const size of AVATAR_SIZES) {
        expect(user?.public_user_profile.avatar.images[size]).toMatch(/^https?:\/\//);
      }
    }
  });

  test("the two users have distinct profile pages", async () => {
    const chat = await sellerView();
    const urls = chat.users.map((u) => u.public_user_profile.url);
    expect(new Set(urls).size).toBe(2);
  });

  test("last_message is the newest message, with direction from the caller's side", async () => {
    const expectedMessage = {
      id: buyerMessage.id,
      author_id: buyer.user_id,
      created: buyerMessage.created,
      content: { text: "Объектив в комплекте?" },
      type: "text",
    };
    expect(buyerMessage.id).toMatch(/^[0-9a-f]{32}$/);
    expect((await sellerView()).last_message).toEqual({ ...expectedMessage, direction: "in" });
    const buyerSide = (await chatsOf(buyer)).body.chats.find((c) => c.id === chatId);
    expect(buyerSide?.last_message).toEqual({ ...expectedMessage, direction: "out" });
  });

  test("a chat without messages has no last_message", async () => {
    const third = await member("Без сообщений");
    const empty = await u2i(itemId, third);
    const chat = (await chatOf(seller, empty)).body;
    expect(chat.last_message).toBeUndefined();
    expect(chat.updated).toBe(chat.created);
  });

  test("`updated` and last_message move with each message; `created` stays", async () => {
    const before = await sellerView();
    await api.advanceClock(120);
    const sent = await api.call<{ id: string; created: number }>("postSendMessage", {
      token: seller.token,
      params: { user_id: seller.user_id, chat_id: chatId },
      json: { message: { text: "Да, в комплекте" }, type: "text" },
    });
    expect(sent.status).toBe(200);
    const after = await sellerView();
    expect(after.created).toBe(before.created);
    expect(after.updated).toBe(sent.body.created);
    expect(after.updated).toBeGreaterThanOrEqual(before.updated + 120);
    expect(after.last_message).toEqual({
      id: sent.body.id,
      author_id: seller.user_id,
      created: sent.body.created,
      content: { text: "Да, в комплекте" },
      type: "text",
      direction: "out",
    });
    const buyerSide = (await chatOf(buyer, chatId)).body;
    expect(buyerSide.last_message?.direction).toBe("in");
    expect(buyerSide.updated).toBe(after.updated);
  });

  test("a u2u chat has no context and no item_id on its users", async () => {
    const chatId = (await api.openChat({ type: "u2u", user_ids: [buyer.user_id, seller.user_id] }))
      .chat_id;
    await api.text(chatId, buyer.user_id, "Привет");
    const chat = (await chatOf(seller, chatId)).body;
    expect(chat.id).toMatch(/^u2u-[A-Za-z0-9_~]{22}$/);
    expect(chat.context).toBeUndefined();
    expect(chat.users.map((u) => u.id).sort((a, b) => a - b)).toEqual(
      [seller.user_id, buyer.user_id].sort((a, b) => a - b),
    );
    for (const user of chat.users) expect(user.public_user_profile.item_id).toBeUndefined();
    expect(chat.last_message?.direction).toBe("in");
  });

  test("an a2u chat is held with the Avito account and has no context", async () => {
    const chatId = (await api.openChat({ type: "a2u", user_id: buyer.user_id })).chat_id;
    const chat = (await chatOf(buyer, chatId)).body;
    expect(chat.id).toMatch(/^a2u-[A-Za-z0-9_~]{22}$/);
    expect(chat.context).toBeUndefined();
    expect(chat.users).toHaveLength(2);
    const avito = chat.users.find((u) => u.id !== buyer.user_id);
    expect(avito?.name).toBe("Авито");
    expect(chat.users.some((u) => u.id === buyer.user_id)).toBe(true);
    for (const user of chat.users) expect(user.public_user_profile.item_id).toBeUndefined();
  });

  test("every id in the chat is a JSON number", async () => {
    const response = await chatsOf(seller);
    expect(response.text).not.toMatch(/"(id|user_id|author_id|item_id)":"\d+"/);
    expect(response.text).toContain(`"user_id":${seller.user_id}`);
    expect(response.text).toContain(`"id":${itemId}`);
  });

  test("every URL in a chat resolves on this server; images are PNGs with ETags", async () => {
    const chat = await sellerView();
    const urls = [...new Set(urlsIn(chat))];
    // Profile pages (2), avatars (one set, or two if the users' variants differ), the item page
    // and its image.
    expect(urls.length).toBeGreaterThanOrEqual(2 + AVATAR_SIZES.length + 2);
    for (const url of urls) {
      expect(url.startsWith(`${server.url}/`), url).toBe(true);
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      const body = new Uint8Array(await response.arrayBuffer());
      expect(body.length, url).toBeGreaterThan(0);
      if (!url.endsWith(".png")) {
        expect(response.headers.get("content-type"), url).toMatch(/^text\/html/);
        continue;
      }
      expect(response.headers.get("content-type"), url).toBe("image/png");
      expect([...body.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const etag = response.headers.get("etag");
      expect(etag, url).toBeTruthy();
      const again = await fetch(url, { headers: { "if-none-match": etag ?? "" } });
      expect(again.status, url).toBe(304);
      expect((await again.arrayBuffer()).byteLength).toBe(0);
    }
  });

  test("the avatar and item image sizes are what their names say", async () => {
    const chat = await sellerView();
    const image = chat.context?.value.images.main["140x105"] ?? "";
    expect(pngSize(new Uint8Array(await (await fetch(image)).arrayBuffer()))).toEqual([140, 105]);
    const avatars = chat.users[0]?.public_user_profile.avatar.images ?? {};
    for (const size of AVATAR_SIZES) {
      const bytes = new Uint8Array(await (await fetch(avatars[size] ?? "")).arrayBuffer());
      expect(pngSize(bytes).join("x")).toBe(size);
    }
  });
});

describe("getChatByIdV2", () => {
  let seller: Member;
  let buyer: Member;
  let stranger: Member;
  let itemId: number;
  let chatId: string;

  beforeAll(async () => {
    seller = await member("Продавец по id");
    buyer = await member("Покупатель по id");
    stranger = await member("Посторонний");
    itemId = (await api.createItem(seller.user_id, "Самовар")).item_id;
    chatId = await u2i(itemId, buyer);
    await api.advanceClock(60);
    await api.text(chatId, buyer.user_id, "Самовар угольный?");
  });

  test("answers the same chat as the list, for each side", async () => {
    for (const who of [seller, buyer]) {
      const one = await chatOf(who, chatId);
      expect(one.status).toBe(200);
      const inList = (await chatsOf(who)).body.chats.find((c) => c.id === chatId);
      expect(inList).toBeDefined();
      expect(one.body).toEqual(inList);
    }
    expect((await chatOf(seller, chatId)).body.last_message?.direction).toBe("in");
    expect((await chatOf(buyer, chatId)).body.last_message?.direction).toBe("out");
  });

  test("u2u and a2u chats are found by id too", async () => {
    const u2u = (await api.openChat({ type: "u2u", user_ids: [seller.user_id, buyer.user_id] }))
      .chat_id;
    const a2u = (await api.openChat({ type: "a2u", user_id: seller.user_id })).chat_id;
    for (const id of [u2u, a2u]) {
      const response = await chatOf(seller, id);
      expect(response.status).toBe(200);
      expect(response.body.id).toBe(id);
      expect(response.body.id).toMatch(CHAT_ID);
    }
    expect((await chatOf(buyer, u2u)).status).toBe(200);
  });

  test("an unknown chat id answers the 404 envelope", async () => {
    for (const id of ["u2i-AAAAAAAAAAAAAAAAAAAAAA", "nothing-like-a-chat-id"]) {
      const response = await chatOf(seller, id);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: { code: 404, message: expect.any(String) } });
    }
  });

  test("a chat of other users answers the same 404 as an unknown chat", async () => {
    const theirs = await chatOf(stranger, chatId);
    const unknown = await chatOf(stranger, "u2i-AAAAAAAAAAAAAAAAAAAAAA");
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(unknown.body);
    const a2u = (await api.openChat({ type: "a2u", user_id: seller.user_id })).chat_id;
    expect((await chatOf(buyer, a2u)).status).toBe(404);
  });

  test("the sandbox opens a pair once: 201 the first time, then 200 with the same chat", async () => {
    const newcomer = await member("Новичок");
    const body = { type: "u2i", item_id: itemId, user_id: newcomer.user_id };
    const first = await api.sandbox<{ chat_id: string }>("POST", "/chats", body);
    expect(first.status).toBe(201);
    const again = await api.sandbox<{ chat_id: string }>("POST", "/chats", body);
    expect(again.status).toBe(200);
    expect(again.body.chat_id).toBe(first.body.chat_id);
    const existing = await api.sandbox<{ chat_id: string }>("POST", "/chats", {
      type: "u2i",
      item_id: itemId,
      user_id: buyer.user_id,
    });
    expect(existing.status).toBe(200);
    expect(existing.body.chat_id).toBe(chatId);
    expect((await listed(seller, { item_ids: itemId })).filter((id) => id === chatId)).toHaveLength(
      1,
    );
  });

  test("a u2u pair is the same pair in either order", async () => {
    const a = await member("Первый");
    const b = await member("Второй");
    const first = await api.sandbox<{ chat_id: string }>("POST", "/chats", {
      type: "u2u",
      user_ids: [a.user_id, b.user_id],
    });
    const reversed = await api.sandbox<{ chat_id: string }>("POST", "/chats", {
      type: "u2u",
      user_ids: [b.user_id, a.user_id],
    });
    expect([first.status, reversed.status]).toEqual([201, 200]);
    expect(reversed.body.chat_id).toBe(first.body.chat_id);
  });
});

/** Every absolute URL among the string values of `value`. */
function urlsIn(value: unknown): string[] {
  if (typeof value === "string") return /^https?:\/\//.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(urlsIn);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(urlsIn);
  return [];
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Uint8Array): [number, number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}
