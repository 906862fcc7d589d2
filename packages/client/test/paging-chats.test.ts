// Paging chats against a real Beseda holding a seller with more chats than one query reaches:
// `beseda seed` plans 6,000 chats, a fifth of them (1,200 u2i) the hot seller's, over 150 of its
// items, plus a few u2u and a2u chats and some where it is the buyer. What the account really
// has is read from the sandbox API (no wall there); the SDK's client does the paging, wrapped
// only to record the offsets it asks for.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TestApi } from "../../server/test/helpers/api.ts";
import { runCli } from "../../server/test/helpers/server-process.ts";
import {
  startTestServer,
  type TestServer,
  tempDataDir,
} from "../../server/test/helpers/test-server.ts";
import { AvitoMessenger, type ChatType } from "../src/index.ts";
import {
  type ChatsClient,
  ITEM_IDS_PER_QUERY,
  iterateAllChats,
  iterateChats,
  OFFSET_WALL,
  OffsetWallError,
} from "../src/paging.ts";

const ALL_TYPES: ChatType[] = ["u2i", "u2u", "a2u"];

interface SandboxChat {
  chat_id: string;
  type: ChatType;
  item_id: number | null;
}

let server: TestServer;
let api: TestApi;
let client: AvitoMessenger;
let sellerId: number;
/** Every chat of the seller, from the sandbox API. */
let truth: SandboxChat[];
const offsets: number[] = [];
/** How many item ids each request carried. */
const idCounts: number[] = [];

/** The real client, recording each page's offset (an offset above 1000 would be a 400). */
const recording: ChatsClient = {
  getChatsV2: (query, options) => {
    offsets.push(query.offset);
    idCounts.push(query.item_ids?.length ?? 0);
    return client.getChatsV2(query, options);
  },
};

beforeAll(async () => {
  const dataDir = tempDataDir();
  const seed = runCli(["seed", "--data-dir", dataDir, "--chats", "6000", "--messages", "6000"]);
  const { code } = await seed.exited;
  if (code !== 0) throw new Error(`seed exited with ${code}: ${seed.stderr()}`);
  const manifest = JSON.parse(readFileSync(join(dataDir, "seed-manifest.json"), "utf8")) as {
    seller: { user_id: number; client_id: string; client_secret: string };
  };
  sellerId = manifest.seller.user_id;
  server = await startTestServer({ dataDir });
  api = new TestApi(server.url, server.adminToken);
  client = new AvitoMessenger({
    baseUrl: server.url,
    clientId: manifest.seller.client_id,
    clientSecret: manifest.seller.client_secret,
    userId: sellerId,
    // Beseda allows 600 a minute; the client's own default budget would only slow the test.
    budget: false,
  });
  truth = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await api.sandbox<{ chats: SandboxChat[] }>(
      "GET",
      `/chats?user_id=${sellerId}&limit=1000&offset=${offset}`,
    );
    truth.push(...page.body.chats);
    if (page.body.chats.length < 1000) break;
  }
}, 60_000);

afterAll(() => server?.stop());

const ids = (chats: { chat_id: string }[]) => new Set(chats.map((c) => c.chat_id));

describe("iterateChats", () => {
  test("the world is past the wall: more than 1,100 chats, most of them u2i", () => {
    expect(truth.length).toBeGreaterThan(1100);
    expect(truth.filter((c) => c.type === "u2i").length).toBeGreaterThan(1100);
    expect(truth.some((c) => c.type === "u2u")).toBe(true);
  });

  test("reads 1,100 chats in 11 pages, stops at offset 1000 without a 400, and says so", async () => {
    offsets.length = 0;
    const chats = iterateChats(recording, { chat_types: ALL_TYPES });
    const seen: string[] = [];
    let pages = 0;
    for await (const page of chats.pages()) {
      pages++;
      for (const chat of page) seen.push(chat.id ?? "");
    }
    expect(pages).toBe(11);
    expect(offsets).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(Math.max(...offsets)).toBe(OFFSET_WALL);
    expect(new Set(seen).size).toBe(1100);
    expect(chats.reachedWall).toBe(true);
    expect(chats.count).toBe(1100);
    const all = ids(truth);
    expect(seen.every((id) => all.has(id))).toBe(true);
  });

  test("with onWall: throw, yields every reachable chat and then throws OffsetWallError", async () => {
    let count = 0;
    const error = await (async () => {
      for await (const _ of iterateChats(client, { chat_types: ALL_TYPES }, { onWall: "throw" })) {
        count++;
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OffsetWallError);
    expect((error as OffsetWallError).yielded).toBe(1100);
    expect(count).toBe(1100);
  });

  test("a filter under the wall reads to its end and does not claim the wall", async () => {
    const chats = iterateChats(client, { chat_types: ["u2u", "a2u"] });
    const seen = new Set<string>();
    for await (const chat of chats) seen.add(chat.id ?? "");
    expect(chats.reachedWall).toBe(false);
    expect(seen).toEqual(ids(truth.filter((c) => c.type !== "u2i")));
  });

  test("a page size that does not divide 1000 still reads up to the wall's last chat", async () => {
    offsets.length = 0;
    const chats = iterateChats(recording, { chat_types: ["u2i"] }, { pageSize: 70 });
    let count = 0;
    for await (const _ of chats) count++;
    expect(offsets.at(-1)).toBe(OFFSET_WALL);
    expect(offsets.every((o) => o <= OFFSET_WALL)).toBe(true);
    expect(count).toBe(OFFSET_WALL + 70);
    expect(chats.reachedWall).toBe(true);
  });
});

describe("iterateAllChats", () => {
  test("reaches past the wall by splitting on chat types and the items it finds", async () => {
    offsets.length = 0;
    const all = iterateAllChats(recording, { chat_types: ALL_TYPES });
    const seen: string[] = [];
    for await (const chat of all) seen.push(chat.id ?? "");
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(1100);
    const everything = ids(truth);
    expect(seen.every((id) => everything.has(id))).toBe(true);
    // Every u2u and a2u chat, and every u2i chat about an item it had seen, is reached.
    const reached = new Set(seen);
    const missed = truth.filter((c) => !reached.has(c.chat_id));
    expect(missed.every((c) => c.type === "u2i")).toBe(true);
    expect(all.splitOnItems).toBe(true);
    expect(all.reachedWall).toBe(false);
    expect(all.partitions.some((p) => p.item_ids !== undefined)).toBe(true);
    expect(all.partitions.every((p) => !p.item_ids || p.item_ids.length > 0)).toBe(true);
    expect(Math.max(...offsets)).toBe(OFFSET_WALL);
  });

  test("given the items, reaches every chat of the account exactly once", async () => {
    const items = truth.flatMap((c) => (c.item_id === null ? [] : [c.item_id]));
    const all = iterateAllChats(client, { chat_types: ALL_TYPES }, { itemIds: items });
    const seen: string[] = [];
    for await (const chat of all) seen.push(chat.id ?? "");
    expect(seen.length).toBe(truth.length);
    expect(new Set(seen)).toEqual(ids(truth));
    expect(all.reachedWall).toBe(false);
    // Reported per query: the first (as given) hit the wall, and so did the u2i one.
    expect(all.partitions[0]).toMatchObject({ chat_types: ALL_TYPES, reachedWall: true });
    expect(all.partitions.reduce((sum, p) => sum + p.newChats, 0)).toBe(truth.length);
  });

  // Ids of 10 digits, like real ones, that no chat is about: 3,000 of them would be a URL of
  // 33 KB, which Beseda refuses with 431 (so would many proxies); half of them, 16 KB, still is.
  const unknownItems = Array.from({ length: 3000 }, (_, i) => 9_000_000_000 + i);

  test("with over 1,000 item ids, no query carries more than 100, and every chat is reached", async () => {
    idCounts.length = 0;
    const items = truth.flatMap((c) => (c.item_id === null ? [] : [c.item_id]));
    const all = iterateAllChats(
      recording,
      { chat_types: ALL_TYPES },
      { itemIds: [...unknownItems, ...items] },
    );
    const seen: string[] = [];
    for await (const chat of all) seen.push(chat.id ?? "");
    expect(new Set(seen)).toEqual(ids(truth));
    expect(seen.length).toBe(truth.length);
    expect(all.reachedWall).toBe(false);
    expect(Math.max(...idCounts)).toBe(ITEM_IDS_PER_QUERY);
  });

  test("a query given over 1,000 item ids runs in chunks of 100: its chats, once each", async () => {
    idCounts.length = 0;
    const u2i = truth.filter((c) => c.type === "u2i" && c.item_id !== null);
    const items = u2i.map((c) => c.item_id as number);
    const all = iterateAllChats(recording, {
      chat_types: ["u2i"],
      item_ids: [...items, ...unknownItems],
    });
    const seen: string[] = [];
    for await (const chat of all) seen.push(chat.id ?? "");
    expect(seen.length).toBe(u2i.length);
    expect(new Set(seen)).toEqual(ids(u2i));
    expect(all.reachedWall).toBe(false);
    expect(idCounts.every((n) => n > 0 && n <= ITEM_IDS_PER_QUERY)).toBe(true);
  });
});
