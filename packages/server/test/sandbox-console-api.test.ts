// The sandbox routes the web console stands on: the chats list with its item and names, filtered
// by type and searched by text and person without case in any script, and paged; one chat by id
// as the list shows it; a chat's history newest page first; links to voice files; reading and
// deleting as a participant (the messenger API's own rules and live events); pausing and resuming
// an account's webhook deliveries, with a real receiver; each account's use of the rate limit. Bad input is a 400 in the envelope that
// changes nothing; unknown chats, messages and accounts are 404s.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { StampedEvent } from "../src/domain/sandbox/live-events.ts";
import { type JsonSchema, resolveRefs, sandboxDocument } from "../src/http/openapi/contract.ts";
import { type ApiResponse, type Credentials, TestApi } from "./helpers/api.ts";
import { assertErrorEnvelope, assertMatches } from "./helpers/contract-validator.ts";
import { deliveriesSettled } from "./helpers/deliveries.ts";
import { encodeBmp, postMultipart } from "./helpers/media.ts";
import { type Receiver, startReceiver } from "./helpers/receiver.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";
import { serverWithWorld, type World } from "./helpers/world.ts";

const VOICE_SAMPLE = readFileSync(new URL("../assets/voice-sample.mp4", import.meta.url));

let server: TestServer;
let api: TestApi;
let w: World;
const receivers: Receiver[] = [];

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
});
afterAll(async () => {
  await server.stop();
  for (const r of receivers) await r.close();
});

interface SandboxMessage {
  id: string;
  chat_id: string;
  author_id: number;
  type: string;
  content: Record<string, unknown>;
  read: number | null;
  deleted: number | null;
}

interface ChatOverview {
  chat_id: string;
  type: string;
  item_id: number | null;
  item: {
    item_id: number;
    title: string;
    price_string: string | null;
    image_url: string | null;
    url: string;
  } | null;
  users: { user_id: number; name: string; unread_count: number; last_read_at: number | null }[];
  last_message: SandboxMessage | null;
}

interface AccountOverview {
  user_id: number;
  webhooks_paused: boolean;
  rate_limit: { limit: number; used: number; resets: number };
}

interface DeliveryView {
  id: string;
  message_id: string;
  status: string;
  attempts: { status: number | null }[];
  next_attempt: string | null;
}

type ErrorBody = { error: { code: number; message: string; fields?: Record<string, string> } };

function chatsOf(query: string): Promise<ApiResponse<{ chats: ChatOverview[] }>> {
  return api.sandbox("GET", `/chats?${query}`);
}

async function chatIds(query: string): Promise<string[]> {
  const response = await chatsOf(query);
  expect(response.status, response.text).toBe(200);
  return response.body.chats.map((c) => c.chat_id);
}

function history(chatId: string, query = "") {
  return api.sandbox<{ messages: SandboxMessage[]; more: boolean }>(
    "GET",
    `/chats/${encodeURIComponent(chatId)}/messages${query}`,
  );
}

async function accountOverview(userId: number): Promise<AccountOverview> {
  const { body } = await api.sandbox<{ accounts: AccountOverview[] }>("GET", "/accounts");
  const account = body.accounts.find((a) => a.user_id === userId);
  if (!account) throw new Error(`no account ${userId} in the overview`);
  return account;
}

/** Each request refused with `status` in the envelope, and the store as it was. */
async function refusedUnchanged(
  status: number,
  requests: [string, () => Promise<ApiResponse<unknown>>][],
): Promise<void> {
  // Deliveries still in flight would change the store for reasons of their own.
  await deliveriesSettled(api);
  const before = await storeSnapshot(server.ctx.store);
  for (const [label, request] of requests) {
    const response = await request();
    expect(response.status, `${label}: ${response.text}`).toBe(status);
    assertErrorEnvelope(status, response.body);
  }
  expect(await storeSnapshot(server.ctx.store)).toBe(before);
}

/** Collects the live events published from now on, until `stop`. */
function watchLive(): { events: StampedEvent["event"][]; stop: () => void } {
  const events: StampedEvent["event"][] = [];
  const { stop } = server.ctx.live.watch((stamped) => events.push(stamped.event), null);
  return { events, stop };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("GET /sandbox/v1/chats: item, names, type, search, paging", () => {
  /** The seller's chats: u2i (the world's), u2u with the stranger, a2u with Avito, u2i with Анна. */
  let u2u: string;
  let a2u: string;
  let anna: Credentials;
  let annaChat: string;

  beforeAll(async () => {
    // A second between chats: newest activity first is then one order, not a tie broken by id.
    await api.advanceClock(1);
    u2u = (await api.openChat({ type: "u2u", user_ids: [w.seller.user_id, w.stranger.user_id] }))
      .chat_id;
    await api.text(u2u, w.stranger.user_id, "ПРИВЕТ, Мир! Hello WORLD");
    const withAvito = await api.openChat({ type: "a2u", user_id: w.seller.user_id });
    a2u = withAvito.chat_id;
    const avito = withAvito.user_ids.find((id) => id !== w.seller.user_id) as number;
    await api.advanceClock(1);
    await api.post(a2u, avito, "system", { text: "Ваше объявление опубликовано" });
    await api.advanceClock(1);
    anna = await api.createAccount("Анна Каренина");
    const { item_id } = await api.createItem(w.seller.user_id, "Диван", "30 000 ₽");
    annaChat = (await api.openChat({ type: "u2i", item_id, user_id: anna.user_id })).chat_id;
    await api.post(annaChat, anna.user_id, "link", {
      link: { url: "https://example.com/sofa", text: "Вот ТАКОЙ диван" },
    });
    // A deleted message keeps no text: "Удалённое" finds nothing.
    const gone = await api.text(annaChat, anna.user_id, "Удалённое сообщение");
    const deleted = await api.sandbox("POST", `/chats/${annaChat}/messages/${gone.id}/delete`, {
      user_id: anna.user_id,
    });
    expect(deleted.status, deleted.text).toBe(200);
  });

  test("each chat carries its users' names and, on u2i, its item with a picture a browser loads", async () => {
    const { body } = await chatsOf(`user_id=${w.seller.user_id}`);
    expect(body.chats.map((c) => c.chat_id)).toEqual([annaChat, a2u, u2u, w.chatId]);
    const u2i = body.chats.find((c) => c.chat_id === w.chatId);
    expect(u2i?.item).toEqual({
      item_id: w.itemId,
      title: "Велосипед",
      price_string: "12 500 ₽",
      image_url: expect.stringMatching(/^http:\/\/.+\.png$/),
      url: `${server.url}/items/${w.itemId}`,
    });
    const picture = await fetch(u2i?.item?.image_url as string);
    expect(picture.status).toBe(200);
    expect(picture.headers.get("content-type")).toBe("image/png");
    expect(u2i?.users.map((u) => [u.user_id, u.name])).toEqual(
      [
        [w.seller.user_id, "Продавец"],
        [w.buyer.user_id, "Покупатель"],
      ].sort(([a], [b]) => (a as number) - (b as number)),
    );
    for (const chat of body.chats.filter((c) => c.type !== "u2i")) expect(chat.item).toBeNull();
    const names = body.chats.find((c) => c.chat_id === a2u)?.users.map((u) => u.name);
    expect(names).toContain("Авито");
  });

  test("type narrows to one kind of chat", async () => {
    expect(await chatIds(`user_id=${w.seller.user_id}&type=u2i`)).toEqual([annaChat, w.chatId]);
    expect(await chatIds(`user_id=${w.seller.user_id}&type=u2u`)).toEqual([u2u]);
    expect(await chatIds(`user_id=${w.seller.user_id}&type=a2u`)).toEqual([a2u]);
    expect(await chatIds(`user_id=${w.buyer.user_id}&type=u2u`)).toEqual([]);
    expect(await chatIds("type=u2u")).toEqual([u2u]);
  });

  test("text: any case, in Cyrillic too, of text, system and link messages, never of JSON keys", async () => {
    const seller = `user_id=${w.seller.user_id}`;
    const search = (text: string, scope = seller) =>
      chatIds(`${scope}&text=${encodeURIComponent(text)}`);
    expect(await search("привет, мир")).toEqual([u2u]);
    expect(await search("hello world")).toEqual([u2u]);
    expect(await search("ЕЩЁ ПРОДАЁТСЯ")).toEqual([w.chatId]);
    expect(await search("ОПУБЛИКОВАНО")).toEqual([a2u]);
    expect(await search("такой ДИВАН")).toEqual([annaChat]);
    // A decomposed й (и + combining breve) finds the composed one.
    expect(await search("Здравствуи\u0306те")).toEqual([w.chatId]);
    expect(await search("text")).toEqual([]);
    expect(await search("удалённое")).toEqual([]);
    expect(await search("%")).toEqual([]);
    expect(await search("привет", `type=u2i&${seller}`)).toEqual([]);
    // Without user_id: every chat.
    expect(await search("привет", "limit=10")).toEqual([u2u]);
    expect(await search("привет", `user_id=${w.buyer.user_id}`)).toEqual([]);
  });

  test("person: the other side's name in any case, or its id; without user_id, anyone", async () => {
    const search = (person: string, scope = `user_id=${w.seller.user_id}`) =>
      chatIds(`${scope}&person=${encodeURIComponent(person)}`);
    expect(await search("посторонний")).toEqual([u2u]);
    expect(await search("КАРЕНИНА")).toEqual([annaChat]);
    expect(await search(String(w.stranger.user_id))).toEqual([u2u]);
    // The account itself is not the other side of its own chats.
    expect(await search("продавец")).toEqual([]);
    expect(await search(String(w.seller.user_id))).toEqual([]);
    expect(await search("продавец", "limit=100")).toEqual([annaChat, a2u, u2u, w.chatId]);
    expect(await search("Покупатель", `user_id=${w.seller.user_id}&text=продаётся`)).toEqual([
      w.chatId,
    ]);
    expect(await search("Покупатель", `user_id=${w.seller.user_id}&text=диван`)).toEqual([]);
  });

  test("offset and limit page the list, searched or not, newest activity first", async () => {
    const seller = `user_id=${w.seller.user_id}`;
    const all = await chatIds(seller);
    const pages = [];
    for (let offset = 0; offset < all.length + 1; offset += 2) {
      pages.push(...(await chatIds(`${seller}&limit=2&offset=${offset}`)));
    }
    expect(pages).toEqual(all);
    expect(await chatIds(`${seller}&offset=100000`)).toEqual([]);
    const searched = await chatIds(`${seller}&person=${encodeURIComponent("а")}`);
    expect(searched.length).toBeGreaterThan(1);
    expect(await chatIds(`${seller}&person=${encodeURIComponent("а")}&limit=1&offset=1`)).toEqual([
      searched[1],
    ]);
  });

  test("bad type, text, person or offset → 400 naming it", async () => {
    for (const [query, field] of [
      ["type=b2b", "type"],
      ["text=", "text"],
      [`text=${"я".repeat(201)}`, "text"],
      ["person=", "person"],
      [`person=${"9".repeat(201)}`, "person"],
      ["offset=-1", "offset"],
      ["offset=100001", "offset"],
      ["offset=x", "offset"],
    ] as const) {
      const response = await chatsOf(encodeURI(query));
      expect(response.status, query).toBe(400);
      assertErrorEnvelope(400, response.body);
      expect(response.text, query).toContain(field);
    }
  });
});

describe("GET /sandbox/v1/chats/{chat_id}", () => {
  const chatOverviewSchema = resolveRefs(
    sandboxDocument,
    sandboxDocument.components.schemas.ChatOverview as JsonSchema,
  );

  function oneChat(chatId: string) {
    return api.sandbox<ChatOverview>("GET", `/chats/${encodeURIComponent(chatId)}`);
  }

  test("the chat exactly as the list shows it, with names, unread counts and the last message", async () => {
    const sent = await api.text(w.chatId, w.buyer.user_id, "Торг уместен?");
    const listed = (await chatsOf(`user_id=${w.seller.user_id}&type=u2i`)).body.chats.find(
      (c) => c.chat_id === w.chatId,
    );
    const one = await oneChat(w.chatId);
    expect(one.status, one.text).toBe(200);
    assertMatches("ChatOverview", chatOverviewSchema, one.body);
    expect(one.body).toEqual(listed);
    expect(one.body.item?.title).toBe("Велосипед");
    expect(one.body.last_message?.id).toBe(sent.id);
    const seller = one.body.users.find((u) => u.user_id === w.seller.user_id);
    expect(seller).toMatchObject({ name: "Продавец" });
    expect(seller?.unread_count).toBeGreaterThan(0);

    // An a2u chat: Avito's account is named, and there is no item.
    const withAvito = await api.openChat({ type: "a2u", user_id: w.buyer.user_id });
    const a2u = await oneChat(withAvito.chat_id);
    expect(a2u.status, a2u.text).toBe(200);
    expect(a2u.body).toMatchObject({ chat_id: withAvito.chat_id, type: "a2u", item: null });
    expect(a2u.body.users.map((u) => u.name)).toContain("Авито");
    expect(a2u.body.last_message).toBeNull();
  });

  test("an unknown chat → 404 chat not found; an overlong id → 400; looking reads nothing", async () => {
    await refusedUnchanged(404, [["unknown chat", () => oneChat("u2i-nope")]]);
    expect((await oneChat("u2i-nope")).text).toContain("Chat not found");
    await refusedUnchanged(400, [["overlong id", () => oneChat(`u2i-${"a".repeat(100)}`)]]);
    // Looking at a chat never reads it.
    const before = (await oneChat(w.chatId)).body;
    expect(before.users.some((u) => u.unread_count > 0)).toBe(true);
    expect((await oneChat(w.chatId)).body).toEqual(before);
  });
});

describe("GET /sandbox/v1/chats/{chat_id}/messages: newest page first", () => {
  test("pages back with before; each page oldest first; more says whether older are left", async () => {
    const { chat_id: chatId } = await api.openChat({
      type: "u2u",
      user_ids: [w.buyer.user_id, w.stranger.user_id],
    });
    const texts = ["1", "2", "3", "4", "5", "6", "7"];
    for (const text of texts) await api.text(chatId, w.buyer.user_id, text);
    const textsOf = (messages: SandboxMessage[]) => messages.map((m) => m.content.text);
    const newest = await history(chatId, "?limit=3");
    expect(newest.status).toBe(200);
    expect(textsOf(newest.body.messages)).toEqual(["5", "6", "7"]);
    expect(newest.body.more).toBe(true);
    const older = await history(chatId, `?limit=3&before=${newest.body.messages[0]?.id}`);
    expect(textsOf(older.body.messages)).toEqual(["2", "3", "4"]);
    expect(older.body.more).toBe(true);
    const oldest = await history(chatId, `?limit=3&before=${older.body.messages[0]?.id}`);
    expect(textsOf(oldest.body.messages)).toEqual(["1"]);
    expect(oldest.body.more).toBe(false);
    const whole = await history(chatId);
    expect(textsOf(whole.body.messages)).toEqual(texts);
    expect(whole.body.more).toBe(false);
    const exact = await history(chatId, "?limit=7");
    expect(exact.body.more).toBe(false);
    expect(whole.body.messages[0]).toMatchObject({
      chat_id: chatId,
      author_id: w.buyer.user_id,
      type: "text",
      read: null,
      deleted: null,
    });
  });

  test("an image message carries its sizes as URLs a browser loads", async () => {
    const bmp = encodeBmp(64, 48, (x) => [x * 4, 100, 200]);
    const upload = await postMultipart<Record<string, Record<string, string>>>(
      `${server.url}/sandbox/v1/accounts/${w.buyer.user_id}/images`,
      server.adminToken,
      [{ field: "uploadfile[]", bytes: bmp, filename: "photo.bmp", type: "image/bmp" }],
    );
    expect(upload.status, upload.text).toBe(201);
    const [imageId] = Object.keys(upload.body);
    await api.post(w.chatId, w.buyer.user_id, "image", { image_id: imageId });
    const { body } = await history(w.chatId, "?limit=1");
    const image = body.messages[0]?.content.image as { sizes: Record<string, string> } | undefined;
    const sizes = image?.sizes ?? {};
    expect(Object.keys(sizes).sort()).toEqual(["1280x960", "140x105", "32x32", "640x480"]);
    expect(sizes).toEqual(upload.body[imageId as string]);
    const large = await fetch(sizes["1280x960"] as string);
    expect(large.status).toBe(200);
    expect(large.headers.get("content-type")).toBe("image/jpeg");
  });

  test("an unknown chat, or a before of no message of the chat → 404; a bad limit → 400", async () => {
    const other = await api.openChat({ type: "a2u", user_id: w.stranger.user_id });
    const foreign = await api.post(other.chat_id, w.stranger.user_id, "text", { text: "чужое" });
    for (const [label, response] of [
      ["unknown chat", await history("u2i-nope")],
      ["unknown before", await history(w.chatId, `?before=${"f".repeat(32)}`)],
      ["before of another chat", await history(w.chatId, `?before=${foreign.id}`)],
    ] as const) {
      expect(response.status, label).toBe(404);
      assertErrorEnvelope(404, response.body);
    }
    for (const query of ["?limit=0", "?limit=501", "?limit=x", `?before=${"a".repeat(101)}`]) {
      const response = await history(w.chatId, query);
      expect(response.status, query).toBe(400);
      assertErrorEnvelope(400, response.body);
    }
  });
});

describe("GET /sandbox/v1/voices", () => {
  test("signed links as getVoiceFiles builds them, for any stored voice; unknown ids left out", async () => {
    const upload = async () => {
      const response = await postMultipart<{ voice_id: string }>(
        `${server.url}/sandbox/v1/voices`,
        server.adminToken,
        [{ field: "file", bytes: VOICE_SAMPLE, filename: "voice.mp4", type: "audio/mp4" }],
      );
      expect(response.status, response.text).toBe(201);
      return response.body.voice_id;
    };
    const sent = await upload();
    const unsent = await upload();
    await api.post(w.chatId, w.buyer.user_id, "voice", { voice: { voice_id: sent } });
    const links = await api.sandbox<{ voices_urls: Record<string, string> }>(
      "GET",
      `/voices?voice_ids=${sent},${"0".repeat(32)},${unsent}`,
    );
    expect(links.status, links.text).toBe(200);
    expect(Object.keys(links.body.voices_urls).sort()).toEqual([sent, unsent].sort());
    const link = links.body.voices_urls[sent] as string;
    const api1 = await api.request<{ voices_urls: Record<string, string> }>(
      "GET",
      `/messenger/v1/accounts/${w.seller.user_id}/getVoiceFiles`,
      { token: w.sellerToken, query: { voice_ids: sent } },
    );
    const fromApi = new URL(api1.body.voices_urls[sent] as string);
    const fromSandbox = new URL(link);
    expect(fromSandbox.origin + fromSandbox.pathname).toBe(fromApi.origin + fromApi.pathname);
    expect([...fromSandbox.searchParams.keys()]).toEqual(["expires", "signature"]);
    const audio = await fetch(link);
    expect(audio.status).toBe(200);
    expect(Buffer.from(await audio.arrayBuffer()).equals(VOICE_SAMPLE)).toBe(true);
    // Repeated keys and voice_ids[] as getVoiceFiles takes them.
    const repeated = await api.sandbox<{ voices_urls: Record<string, string> }>(
      "GET",
      `/voices?voice_ids[]=${sent}&voice_ids[]=${unsent}`,
    );
    expect(Object.keys(repeated.body.voices_urls).sort()).toEqual([sent, unsent].sort());
  });

  test("no voice_ids, or an empty list → 400 naming voice_ids", async () => {
    for (const query of ["", "?voice_ids=", "?voice_ids=,"]) {
      const response = await api.sandbox<ErrorBody>("GET", `/voices${query}`);
      expect(response.status, query).toBe(400);
      assertErrorEnvelope(400, response.body);
      expect(response.text).toContain("voice_ids");
    }
  });
});

describe("POST /sandbox/v1/chats/{chat_id}/read", () => {
  test("reads the chat as that participant, as chatRead does, with its live event", async () => {
    const { chat_id: chatId } = await api.openChat({
      type: "u2u",
      user_ids: [w.seller.user_id, w.buyer.user_id],
    });
    await api.text(chatId, w.seller.user_id, "Один");
    await api.text(chatId, w.seller.user_id, "Два");
    await api.text(chatId, w.buyer.user_id, "Мой ответ");
    const live = watchLive();
    const response = await api.sandbox("POST", `/chats/${chatId}/read`, {
      user_id: w.buyer.user_id,
    });
    live.stop();
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({ ok: true });
    const now = (await api.sandbox<{ now: number }>("GET", "/clock")).body.now;
    expect(live.events).toEqual([
      { type: "chat_read", chat_id: chatId, user_id: w.buyer.user_id, at: expect.any(Number) },
    ]);
    const { body } = await chatsOf(`user_id=${w.buyer.user_id}&type=u2u`);
    const users = body.chats.find((c) => c.chat_id === chatId)?.users ?? [];
    const buyer = users.find((u) => u.user_id === w.buyer.user_id);
    const seller = users.find((u) => u.user_id === w.seller.user_id);
    expect(buyer).toMatchObject({ unread_count: 0, last_read_at: expect.any(Number) });
    expect(Math.abs((buyer?.last_read_at ?? 0) - now)).toBeLessThanOrEqual(1);
    // The buyer's own message stays unread by the seller.
    expect(seller).toMatchObject({ unread_count: 1, last_read_at: null });
    const messages = (await history(chatId)).body.messages;
    expect(messages.map((m) => [m.content.text, m.read === null])).toEqual([
      ["Один", false],
      ["Два", false],
      ["Мой ответ", true],
    ]);
    // What the API shows the seller: its messages read.
    const seen = await api.call<{ is_read: boolean }[]>("getMessagesV3", {
      token: w.buyerToken,
      params: { user_id: w.buyer.user_id, chat_id: chatId },
    });
    expect(seen.body.map((m) => m.is_read)).toEqual([true, true, true]);
  });

  test("a user not in the chat, or a bad body → 400 naming user_id; an unknown chat → 404", async () => {
    const read =
      (json: unknown, chatId = w.chatId) =>
      () =>
        api.sandbox("POST", `/chats/${encodeURIComponent(chatId)}/read`, json);
    await refusedUnchanged(400, [
      ["a stranger", read({ user_id: w.stranger.user_id })],
      ["no such account", read({ user_id: 1 })],
      ["no user_id", read({})],
      ["a string", read({ user_id: "abc" })],
      ["no body", read(undefined)],
    ]);
    const stranger = await api.sandbox<ErrorBody>("POST", `/chats/${w.chatId}/read`, {
      user_id: w.stranger.user_id,
    });
    expect(stranger.body.error.fields).toEqual({ user_id: "is not a user of this chat" });
    await refusedUnchanged(404, [["unknown chat", read({ user_id: w.buyer.user_id }, "u2i-nope")]]);
  });
});

describe("POST /sandbox/v1/chats/{chat_id}/messages/{message_id}/delete", () => {
  const remove = (chatId: string, messageId: string, json: unknown) => () =>
    api.sandbox("POST", `/chats/${encodeURIComponent(chatId)}/messages/${messageId}/delete`, json);

  test("deletes the author's own message, as deleteMessage does, with its live event", async () => {
    const message = await api.text(w.chatId, w.buyer.user_id, "Передумал");
    const live = watchLive();
    const response = await remove(w.chatId, message.id, { user_id: w.buyer.user_id })();
    live.stop();
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({});
    expect(live.events).toEqual([
      {
        type: "message",
        message: expect.objectContaining({ id: message.id, type: "deleted", content: {} }),
      },
    ]);
    const { body } = await history(w.chatId, "?limit=1");
    expect(body.messages[0]).toMatchObject({
      id: message.id,
      type: "deleted",
      content: {},
      deleted: expect.any(Number),
    });
    // Again: nothing more to do, as the API answers.
    expect((await remove(w.chatId, message.id, { user_id: w.buyer.user_id })()).status).toBe(200);
  });

  test("another's message → 403; past the hour → 400; not in the chat → 400; unknown → 404", async () => {
    const message = await api.text(w.chatId, w.seller.user_id, "Не твоё");
    await refusedUnchanged(403, [
      ["the other side's message", remove(w.chatId, message.id, { user_id: w.buyer.user_id })],
    ]);
    await refusedUnchanged(400, [
      ["a stranger", remove(w.chatId, message.id, { user_id: w.stranger.user_id })],
      ["no user_id", remove(w.chatId, message.id, {})],
      ["user_id 0", remove(w.chatId, message.id, { user_id: 0 })],
      ["an overlong id", remove(w.chatId, "a".repeat(101), { user_id: w.seller.user_id })],
    ]);
    await refusedUnchanged(404, [
      ["unknown message", remove(w.chatId, "f".repeat(32), { user_id: w.seller.user_id })],
      ["unknown chat", remove("u2i-nope", message.id, { user_id: w.seller.user_id })],
    ]);
    await api.advanceClock(3601);
    const late = await remove(w.chatId, message.id, { user_id: w.seller.user_id })();
    expect(late.status).toBe(400);
    expect((late.body as ErrorBody).error.message).toMatch(/within one hour/);
  });
});

describe("webhook pause and resume", () => {
  /** A fresh seller subscribed to a new receiver, with a buyer's chat. */
  async function subscribedSeller() {
    const seller = await api.createAccount("Продавец на паузе");
    const buyer = await api.createAccount("Покупатель");
    const { item_id } = await api.createItem(seller.user_id, "Кресло");
    const { chat_id: chatId } = await api.openChat({
      type: "u2i",
      item_id,
      user_id: buyer.user_id,
    });
    const hook = await startReceiver(200);
    receivers.push(hook);
    const token = await api.token(seller);
    const subscribed = await api.call("postWebhookV3", {
      token,
      params: {},
      json: { url: hook.url },
    });
    expect(subscribed.status).toBe(200);
    await hook.waitFor(1); // the probe
    return { seller, buyer, chatId, hook };
  }

  async function deliveriesOf(userId: number): Promise<DeliveryView[]> {
    const { body } = await api.sandbox<{ deliveries: DeliveryView[] }>(
      "GET",
      `/webhooks/deliveries?user_id=${userId}`,
    );
    return body.deliveries;
  }

  const messageIdOf = (body: string) =>
    (JSON.parse(body) as { payload: { value: { id: string } } }).payload.value.id;

  test("paused: new messages stay queued, nothing is sent; resumed: both arrive, in order", async () => {
    const { seller, buyer, chatId, hook } = await subscribedSeller();
    const paused = await api.sandbox("POST", `/accounts/${seller.user_id}/webhooks/pause`);
    expect(paused.status, paused.text).toBe(200);
    expect(paused.body).toEqual({ paused: true });
    expect((await accountOverview(seller.user_id)).webhooks_paused).toBe(true);
    const first = await api.text(chatId, buyer.user_id, "Первое");
    const second = await api.text(chatId, buyer.user_id, "Второе");
    await sleep(1000);
    expect(hook.received).toHaveLength(1);
    const waiting = await deliveriesOf(seller.user_id);
    expect(waiting.map((d) => [d.message_id, d.status, d.attempts.length])).toEqual([
      [second.id, "queued", 0],
      [first.id, "queued", 0],
    ]);
    const resumed = await api.sandbox("POST", `/accounts/${seller.user_id}/webhooks/resume`);
    expect(resumed.body).toEqual({ paused: false });
    expect((await accountOverview(seller.user_id)).webhooks_paused).toBe(false);
    const arrived = (await hook.waitFor(3)).slice(1);
    expect(arrived.map((r) => messageIdOf(r.body))).toEqual([first.id, second.id]);
    await expect
      .poll(async () => (await deliveriesOf(seller.user_id)).map((d) => d.status))
      .toEqual(["delivered", "delivered"]);
    // Resuming again changes nothing; a new message goes out at once.
    expect((await api.sandbox("POST", `/accounts/${seller.user_id}/webhooks/resume`)).status).toBe(
      200,
    );
    const third = await api.text(chatId, buyer.user_id, "Третье");
    const [, , , last] = await hook.waitFor(4);
    expect(messageIdOf(last?.body ?? "")).toBe(third.id);
  });

  test("a delivery waiting for its retry is queued by the pause and counts no attempt until resumed", async () => {
    const { seller, buyer, chatId, hook } = await subscribedSeller();
    hook.script.push(500);
    const message = await api.text(chatId, buyer.user_id, "Повтор");
    await expect.poll(async () => (await deliveriesOf(seller.user_id))[0]?.attempts.length).toBe(1);
    expect((await deliveriesOf(seller.user_id))[0]?.status).toBe("pending");
    await api.sandbox("POST", `/accounts/${seller.user_id}/webhooks/pause`);
    // Pausing twice is the same as once.
    expect((await api.sandbox("POST", `/accounts/${seller.user_id}/webhooks/pause`)).body).toEqual({
      paused: true,
    });
    const [held] = await deliveriesOf(seller.user_id);
    expect(held).toMatchObject({ status: "queued", next_attempt: null });
    expect(held?.attempts).toHaveLength(1);
    // Long past its retry time: still nothing.
    await api.advanceClock(3600);
    await sleep(500);
    expect(hook.received).toHaveLength(2);
    expect((await deliveriesOf(seller.user_id))[0]?.attempts).toHaveLength(1);
    await api.sandbox("POST", `/accounts/${seller.user_id}/webhooks/resume`);
    const [, , again] = await hook.waitFor(3);
    expect(messageIdOf(again?.body ?? "")).toBe(message.id);
    await expect
      .poll(async () => (await deliveriesOf(seller.user_id))[0]?.status)
      .toBe("delivered");
    expect((await deliveriesOf(seller.user_id))[0]?.attempts.map((a) => a.status)).toEqual([
      500, 200,
    ]);
  });

  test("a redelivery of a paused account waits queued too", async () => {
    const { seller, buyer, chatId, hook } = await subscribedSeller();
    await api.text(chatId, buyer.user_id, "Доставлено");
    await hook.waitFor(2);
    await expect
      .poll(async () => (await deliveriesOf(seller.user_id))[0]?.status)
      .toBe("delivered");
    const [delivered] = await deliveriesOf(seller.user_id);
    await api.sandbox("POST", `/accounts/${seller.user_id}/webhooks/pause`);
    const again = await api.sandbox<{ status: string }>(
      "POST",
      `/webhooks/deliveries/${delivered?.id}/redeliver`,
    );
    expect(again.body.status).toBe("queued");
    await sleep(300);
    expect(hook.received).toHaveLength(2);
    await api.sandbox("POST", `/accounts/${seller.user_id}/webhooks/resume`);
    await hook.waitFor(3);
  });

  test("a redelivery of a delivery waiting for its retry goes again now, not queued behind itself", async () => {
    const { seller, buyer, chatId, hook } = await subscribedSeller();
    hook.script.push(500);
    await api.text(chatId, buyer.user_id, "Ещё раз");
    await expect.poll(async () => (await deliveriesOf(seller.user_id))[0]?.attempts.length).toBe(1);
    const [waiting] = await deliveriesOf(seller.user_id);
    expect(waiting?.status).toBe("pending");
    const again = await api.sandbox<{ status: string }>(
      "POST",
      `/webhooks/deliveries/${waiting?.id}/redeliver`,
    );
    expect(again.body.status).toBe("pending");
    await hook.waitFor(3);
    await expect
      .poll(async () => (await deliveriesOf(seller.user_id))[0]?.status)
      .toBe("delivered");
  });

  test("a redelivery while an attempt is on its way is refused (409) and changes nothing", async () => {
    const { seller, buyer, chatId, hook } = await subscribedSeller();
    hook.script.push({ status: 200, delayMs: 1500 });
    await api.text(chatId, buyer.user_id, "Медленный приёмник");
    await hook.waitFor(2); // the probe and the attempt, whose answer has not come yet
    const [inFlight] = await deliveriesOf(seller.user_id);
    const refused = await api.sandbox<{ error: { code: number; message: string } }>(
      "POST",
      `/webhooks/deliveries/${inFlight?.id}/redeliver`,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/on its way/);
    await expect
      .poll(async () => (await deliveriesOf(seller.user_id))[0]?.status, { timeout: 5000 })
      .toBe("delivered");
    // Once the attempt has ended, the same click sends it again.
    const again = await api.sandbox("POST", `/webhooks/deliveries/${inFlight?.id}/redeliver`);
    expect(again.status).toBe(200);
    const [, first, second] = await hook.waitFor(3);
    expect(second?.body).toBe(first?.body);
  });

  test("an unknown account → 404; a bad user_id → 400; neither changes anything", async () => {
    await refusedUnchanged(404, [
      ["pause", () => api.sandbox("POST", "/accounts/999999999/webhooks/pause")],
      ["resume", () => api.sandbox("POST", "/accounts/999999999/webhooks/resume")],
    ]);
    await refusedUnchanged(400, [
      ["pause", () => api.sandbox("POST", "/accounts/abc/webhooks/pause")],
      ["resume", () => api.sandbox("POST", "/accounts/0/webhooks/resume")],
    ]);
  });

  test("the pause is kept across a restart; a reset clears it", async () => {
    const first = await startTestServer();
    const firstApi = new TestApi(first.url, first.adminToken);
    const account = await firstApi.createAccount("Запомни паузу");
    await firstApi.sandbox("POST", `/accounts/${account.user_id}/webhooks/pause`);
    await first.close();
    const again = await startTestServer({ dataDir: first.dataDir });
    try {
      const againApi = new TestApi(again.url, again.adminToken);
      const overview = await againApi.sandbox<{ accounts: AccountOverview[] }>("GET", "/accounts");
      const kept = overview.body.accounts.find((a) => a.user_id === account.user_id);
      expect(kept?.webhooks_paused).toBe(true);
      expect((await againApi.sandbox("POST", "/reset", { demo: false })).status).toBe(200);
      const rows = await again.ctx.store.db.selectFrom("webhook_pause").selectAll().execute();
      expect(rows).toEqual([]);
    } finally {
      await again.stop();
    }
  });
});

describe("GET /sandbox/v1/accounts: rate_limit", () => {
  test("each account's messenger API requests in the current minute of the sandbox clock", async () => {
    const account = await api.createAccount("Считаем запросы");
    const token = await api.token(account);
    // Just past the start of a minute: the three calls below fall in one window.
    const now = (await api.sandbox<{ now: number }>("GET", "/clock")).body.now;
    const start = await api.advanceClock(60 - (now % 60) + 1);
    const window = start - (start % 60);
    expect((await accountOverview(account.user_id)).rate_limit).toEqual({
      limit: 600,
      used: 0,
      resets: window + 60,
    });
    for (let i = 0; i < 3; i++) {
      const response = await api.call("getChatsV2", {
        token,
        params: { user_id: account.user_id },
      });
      expect(response.status).toBe(200);
    }
    // A call around the messenger has a limit of its own and is not counted here.
    await api.request("GET", "/core/v1/accounts/self", { token });
    expect((await accountOverview(account.user_id)).rate_limit).toEqual({
      limit: 600,
      used: 3,
      resets: window + 60,
    });
    await api.advanceClock(60);
    expect((await accountOverview(account.user_id)).rate_limit).toEqual({
      limit: 600,
      used: 0,
      resets: window + 120,
    });
  });
});
