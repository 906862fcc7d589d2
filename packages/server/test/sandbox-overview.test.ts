// The sandbox's read side (GET /sandbox/v1/accounts, /chats, /messages): every account with its
// app, items and webhook; chats with both users' unread counts; the messages of every chat from a
// second on, inclusive, each chat's in the order written. Bad parameters are 400 in the envelope.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TestApi } from "./helpers/api.ts";
import { assertErrorEnvelope } from "./helpers/contract-validator.ts";
import type { TestServer } from "./helpers/test-server.ts";
import { serverWithWorld, type World } from "./helpers/world.ts";

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
});
afterAll(() => server.stop());

interface Overview {
  accounts: {
    user_id: number;
    created: number;
    name: string;
    client_id: string;
    items: { item_id: number; title: string }[];
    subscription: unknown;
  }[];
}
interface Chats {
  chats: {
    chat_id: string;
    users: { user_id: number; unread_count: number }[];
    last_message: { content: { text?: string } } | null;
  }[];
}
interface Messages {
  messages: {
    id: string;
    chat_id: string;
    author_id: number;
    created: number;
    content: { text?: string };
  }[];
}

describe("GET /sandbox/v1/accounts", () => {
  test("lists every account with its app and items, oldest first", async () => {
    const { status, body } = await api.sandbox<Overview>("GET", "/accounts");
    expect(status).toBe(200);
    const listed = body.accounts.map((a) => [a.created, a.user_id] as const);
    expect(new Set(listed.map(([, id]) => id))).toEqual(
      new Set([w.seller.user_id, w.buyer.user_id, w.stranger.user_id]),
    );
    // Oldest first; accounts made in the same second come by id.
    const ordered = [...listed].sort(([ca, ia], [cb, ib]) => ca - cb || ia - ib);
    expect(listed).toEqual(ordered);
    const seller = body.accounts.find((a) => a.user_id === w.seller.user_id);
    expect(seller?.client_id).toBe(w.seller.client_id);
    expect(seller?.items).toEqual([
      expect.objectContaining({ item_id: w.itemId, title: "Велосипед" }),
    ]);
    expect(seller?.subscription).toBeNull();
  });
});

describe("GET /sandbox/v1/chats", () => {
  test("an account's chats, with both users' unread counts and the last message", async () => {
    const { body } = await api.sandbox<Chats>("GET", `/chats?user_id=${w.stranger.user_id}`);
    expect(body.chats).toEqual([]);
    const ofSeller = await api.sandbox<Chats>("GET", `/chats?user_id=${w.seller.user_id}`);
    expect(ofSeller.body.chats.map((c) => c.chat_id)).toEqual([w.chatId]);
    const chat = ofSeller.body.chats[0];
    expect(chat?.last_message?.content.text).toBe("Да");
    // The buyer has not read the seller's "Да"; the seller has not read the buyer's question.
    expect(chat?.users).toEqual([
      expect.objectContaining({
        user_id: Math.min(w.seller.user_id, w.buyer.user_id),
        unread_count: 1,
      }),
      expect.objectContaining({
        user_id: Math.max(w.seller.user_id, w.buyer.user_id),
        unread_count: 1,
      }),
    ]);
  });

  test("an unknown account → 404; a bad user_id or limit → 400 naming it", async () => {
    const unknown = await api.sandbox("GET", "/chats?user_id=99999999999");
    expect(unknown.status).toBe(404);
    assertErrorEnvelope(404, unknown.body);
    for (const query of ["user_id=abc", "limit=0", "limit=1001"]) {
      const bad = await api.sandbox("GET", `/chats?${query}`);
      expect(bad.status, query).toBe(400);
      assertErrorEnvelope(400, bad.body);
    }
  });
});

describe("GET /sandbox/v1/messages", () => {
  test("from a second on, inclusive; each chat's messages in the order written", async () => {
    const first = await api.sandbox<Messages>("GET", `/messages?chat_id=${w.chatId}`);
    expect(first.body.messages.map((m) => m.content.text)).toEqual([
      "Здравствуйте! Ещё продаётся?",
      "Да",
    ]);
    const now = await api.advanceClock(60);
    await api.text(w.chatId, w.buyer.user_id, "Раз");
    await api.text(w.chatId, w.buyer.user_id, "Два");
    await api.text(w.chatId, w.buyer.user_id, "Три");
    const since = await api.sandbox<Messages>("GET", `/messages?since=${now}`);
    expect(since.body.messages.map((m) => m.content.text)).toEqual(["Раз", "Два", "Три"]);
    expect(since.body.messages.every((m) => m.author_id === w.buyer.user_id)).toBe(true);
    const later = await api.sandbox<Messages>("GET", `/messages?since=${now + 3600}`);
    expect(later.body.messages).toEqual([]);
    const limited = await api.sandbox<Messages>("GET", `/messages?since=${now}&limit=2`);
    expect(limited.body.messages.map((m) => m.content.text)).toEqual(["Раз", "Два"]);
  });

  test("an unknown chat → 404; a bad since or limit → 400 naming it", async () => {
    const unknown = await api.sandbox("GET", "/messages?chat_id=u2i-nope");
    expect(unknown.status).toBe(404);
    assertErrorEnvelope(404, unknown.body);
    for (const [query, field] of [
      ["since=-1", "since"],
      ["since=soon", "since"],
      ["limit=0", "limit"],
    ] as const) {
      const bad = await api.sandbox<{ error: { fields?: Record<string, string> } }>(
        "GET",
        `/messages?${query}`,
      );
      expect(bad.status, query).toBe(400);
      assertErrorEnvelope(400, bad.body);
      expect(Object.keys(bad.body.error.fields ?? {})).toContain(field);
    }
  });
});
