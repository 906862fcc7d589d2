// The reads written as encoded JSON from one statement and cached fragments (issue 15) answer
// byte for byte what the objects and JSON.stringify of before answered (helpers/reference-reads.ts),
// for every read and filter: on a seeded world (`beseda seed`) and on the demo world, which holds
// every message type, quotes, deleted messages and all three kinds of chat. Then through HTTP,
// after an import renames an account and an item whose fragments are kept, and after each change
// that a kept answer (a chats list, a chat by id, a messages page) must follow: on PostgreSQL made
// through a second node, which the reading node hears nothing from.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getChat, listChats } from "../src/domain/chat-reads.ts";
import { chatParties, openChat, readChat } from "../src/domain/chats.ts";
import type { DomainContext } from "../src/domain/context.ts";
import { deleteMessage, listMessages, postSandboxMessage } from "../src/domain/messages.ts";
import { createAccountWithApp } from "../src/domain/oauth/apps.ts";
import type { ChatType } from "../src/store/records.ts";
import { TestApi } from "./helpers/api.ts";
import { referenceChat, referenceChats, referenceMessages } from "./helpers/reference-reads.ts";
import { runCli } from "./helpers/server-process.ts";
import { TEST_DIALECT, testDatabaseFor } from "./helpers/test-database.ts";
import { startTestServer, type TestServer, tempDataDir } from "./helpers/test-server.ts";

const CHAT_TYPE_SETS: ChatType[][] = [
  ["u2i"],
  ["u2u"],
  ["a2u"],
  ["u2i", "u2u"],
  ["a2u", "u2u", "u2i"],
];
const PAGES = [
  { limit: 100, offset: 0 },
  { limit: 5, offset: 0 },
  { limit: 3, offset: 4 },
  { limit: 1, offset: 1000 },
];

let seeded: TestServer;
let demo: TestServer;
/** On PostgreSQL, a second node on the demo world's database: it makes the changes there. */
let demoPeer: TestServer | undefined;
let seller: number;

beforeAll(async () => {
  const dataDir = tempDataDir();
  const { databaseUrl } = await testDatabaseFor(dataDir);
  const run = runCli([
    "seed",
    "--data-dir",
    dataDir,
    ...(databaseUrl === null ? [] : ["--database-url", databaseUrl]),
    "--chats",
    "150",
    "--messages",
    "3000",
  ]);
  const { code } = await run.exited;
  if (code !== 0) throw new Error(`seed exited with ${code}: ${run.stderr()}`);
  seller = (
    JSON.parse(readFileSync(join(dataDir, "seed-manifest.json"), "utf8")) as {
      seller: { user_id: number };
    }
  ).seller.user_id;
  seeded = await startTestServer({ dataDir });
  demo = await startTestServer({ demo: true });
  if (TEST_DIALECT === "postgres") {
    const { databaseUrl: shared } = await testDatabaseFor(demo.dataDir);
    if (shared) demoPeer = await startTestServer({ databaseUrl: shared });
  }
}, 60_000);

afterAll(async () => {
  await seeded?.stop();
  await demoPeer?.stop();
  await demo?.stop();
});

/** The accounts to read as: every one of the demo world; the seeded world's hot seller and 15 more. */
async function readers(server: TestServer): Promise<number[]> {
  const rows = await server.ctx.store.db.selectFrom("account").select("id").orderBy("id").execute();
  const ids = rows.map((row) => Number(row.id));
  return server === seeded ? [seller, ...ids.filter((id) => id !== seller).slice(0, 15)] : ids;
}

/** The chats and items of an account, by its memberships. */
async function chatsOf(ctx: DomainContext, userId: number) {
  const rows = await ctx.store.db
    .selectFrom("chat_member")
    .select(["chat_id", "item_id"])
    .where("user_id", "=", userId)
    .execute();
  return {
    chatIds: rows.map((row) => row.chat_id),
    itemIds: [
      ...new Set(rows.flatMap((row) => (row.item_id === null ? [] : [Number(row.item_id)]))),
    ],
  };
}

/** The error code a read throws, or "answered". */
async function outcome(read: () => Promise<unknown>): Promise<string> {
  try {
    await read();
    return "answered";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe.each([
  ["seeded", () => seeded],
  ["demo", () => demo],
])("on the %s world", (_name, server) => {
  test("every chats list, with every filter, is the same bytes", async () => {
    const { ctx } = server();
    let compared = 0;
    for (const userId of await readers(server())) {
      const { itemIds } = await chatsOf(ctx, userId);
      const itemFilters = [null, itemIds.slice(0, 1), itemIds.slice(0, 3)].filter(
        (ids) => ids === null || ids.length > 0,
      );
      for (const chatTypes of CHAT_TYPE_SETS) {
        for (const unreadOnly of [false, true]) {
          for (const itemIds of itemFilters) {
            for (const page of PAGES) {
              const query = { chatTypes, unreadOnly, itemIds, ...page };
              const ours = (await listChats(ctx, userId, query)).bytes.toString("utf8");
              expect(ours).toBe(await referenceChats(ctx, { userId, ...query }));
              compared++;
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  }, 120_000);

  test("every chat by id and every page of its messages is the same bytes", async () => {
    const { ctx } = server();
    let compared = 0;
    for (const userId of await readers(server())) {
      const { chatIds } = await chatsOf(ctx, userId);
      for (const chatId of chatIds.slice(0, 25)) {
        expect((await getChat(ctx, userId, chatId)).bytes.toString("utf8")).toBe(
          await referenceChat(ctx, userId, chatId),
        );
        for (const page of PAGES) {
          expect((await listMessages(ctx, userId, chatId, page)).bytes.toString("utf8")).toBe(
            await referenceMessages(ctx, userId, chatId, page),
          );
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(10);
  }, 120_000);
});

test("a chat the account takes no part in is not found, on both paths", async () => {
  const { ctx } = demo;
  // A chat, and an account that takes no part in it (the demo world's ids differ every start).
  const member = await ctx.store.db
    .selectFrom("chat_member")
    .select("chat_id")
    .executeTakeFirstOrThrow();
  const foreign = member.chat_id;
  const { participants } = await chatParties(ctx, ctx.store.db, foreign);
  const second = (await readers(demo)).find((id) => !participants.includes(id));
  if (second === undefined) throw new Error("an account outside the chat");
  for (const chatId of [foreign, "u2i-doesNotExistAtAll000000"]) {
    const page = { limit: 10, offset: 0 };
    expect(await outcome(() => getChat(ctx, second, chatId))).toBe("chat_not_found");
    expect(await outcome(() => referenceChat(ctx, second, chatId))).toBe("chat_not_found");
    expect(await outcome(() => listMessages(ctx, second, chatId, page))).toBe("chat_not_found");
    expect(await outcome(() => referenceMessages(ctx, second, chatId, page))).toBe(
      "chat_not_found",
    );
  }
});

test("through HTTP the bytes arrive as they were written, as JSON in UTF-8", async () => {
  const api = new TestApi(demo.url, demo.adminToken);
  const { body } = await api.sandbox<{
    accounts: { user_id: number; kind: string; client_id: string; client_secret: string }[];
  }>("GET", "/accounts");
  const account = body.accounts.find((a) => a.kind === "user");
  if (!account) throw new Error("the demo world has users");
  const token = await api.token(account);
  const base = `/messenger/v2/accounts/${account.user_id}/chats`;
  const response = await api.request("GET", `${base}?chat_types=u2i,u2u,a2u`, { token });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  const query = {
    userId: account.user_id,
    chatTypes: ["u2i", "u2u", "a2u"] as ChatType[],
    itemIds: null,
    unreadOnly: false,
    limit: 100,
    offset: 0,
  };
  const reference = await referenceChats(demo.ctx, query);
  expect(response.text).toBe(reference);
  expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(reference)));
});

test("an import that renames a cached account and item shows the new names at once", async () => {
  const api = new TestApi(demo.url, demo.adminToken);
  const exported = await api.request("GET", "/sandbox/v1/export", { token: demo.adminToken });
  const world = JSON.parse(exported.text) as {
    accounts: { user_id: number; name: string }[];
    items: { item_id: number; title: string }[];
  };
  // An item in a chat, with its seller: both shown in the seller's chats list.
  const sold = await demo.ctx.store.db
    .selectFrom("chat_member")
    .innerJoin("item", "item.id", "chat_member.item_id")
    .select(["item.id", "item.owner_id"])
    .whereRef("item.owner_id", "=", "chat_member.user_id")
    .executeTakeFirstOrThrow();
  const item = world.items.find((i) => i.item_id === Number(sold.id));
  const owner = world.accounts.find((a) => a.user_id === Number(sold.owner_id));
  if (!item || !owner) throw new Error("the export has the item and its owner");
  const query = {
    chatTypes: ["u2i"] as ChatType[],
    itemIds: null,
    unreadOnly: false,
    limit: 100,
    offset: 0,
  };
  // Cached now, under the old names.
  const before = (await listChats(demo.ctx, owner.user_id, query)).bytes.toString("utf8");
  expect(before).toContain(JSON.stringify(owner.name));
  owner.name = 'Переименован "с кавычками" \\ и 😀';
  item.title = "Новое название\nв две строки";
  const imported = await api.request("POST", "/sandbox/v1/import?replace=true", {
    token: demo.adminToken,
    json: world,
  });
  expect(imported.status, imported.text).toBe(200);
  const after = (await listChats(demo.ctx, owner.user_id, query)).bytes.toString("utf8");
  expect(after).toBe(await referenceChats(demo.ctx, { userId: owner.user_id, ...query }));
  expect(after).toContain(JSON.stringify(owner.name));
  expect(after).toContain(JSON.stringify(item.title));
});

test("kept answers follow every change of what they show, and are kept again after", async () => {
  const { ctx } = demo;
  // The changes go through the other node where there is one: this node hears nothing of them,
  // and only the versions in the store tell it that what it keeps is stale.
  const writer = (demoPeer ?? demo).ctx;
  const seller = await demo.ctx.store.db
    .selectFrom("item")
    .select("owner_id")
    .executeTakeFirstOrThrow();
  const userId = Number(seller.owner_id);
  const { chatIds } = await chatsOf(ctx, userId);
  const chatId = chatIds[0];
  if (!chatId) throw new Error("the seller has chats");
  const parties = await chatParties(ctx, ctx.store.db, chatId);
  const buyer = parties.participants.find((id) => id !== userId);
  if (buyer === undefined) throw new Error("the chat has a buyer");
  const all = {
    chatTypes: ["u2i", "u2u", "a2u"] as ChatType[],
    itemIds: null,
    limit: 100,
    offset: 0,
  };
  const pages = [
    { limit: 100, offset: 0 },
    { limit: 2, offset: 1 },
  ];
  /** Each answer, read twice (kept, then from the kept answer), the same as the old path's. */
  const twice = async (
    step: string,
    ours: () => Promise<{ bytes: Buffer }>,
    reference: () => Promise<string>,
  ) => {
    const expected = await reference();
    for (let n = 0; n < 2; n++) {
      expect((await ours()).bytes.toString("utf8"), `${step}, read ${n + 1}`).toBe(expected);
    }
  };
  /** The seller's lists, and the chat and its messages as each of its two members sees them. */
  const expectFresh = async (step: string) => {
    for (const unreadOnly of [false, true]) {
      const query = { ...all, unreadOnly };
      await twice(
        `${step}: the seller's list, unread_only ${unreadOnly}`,
        () => listChats(ctx, userId, query),
        () => referenceChats(ctx, { userId, ...query }),
      );
    }
    for (const viewer of [userId, buyer]) {
      await twice(
        `${step}: the chat as ${viewer} sees it`,
        () => getChat(ctx, viewer, chatId),
        () => referenceChat(ctx, viewer, chatId),
      );
      for (const page of pages) {
        await twice(
          `${step}: the messages ${JSON.stringify(page)} as ${viewer} sees them`,
          () => listMessages(ctx, viewer, chatId, page),
          () => referenceMessages(ctx, viewer, chatId, page),
        );
      }
    }
  };
  await expectFresh("at first");

  const say = (authorId: number, text: string) =>
    postSandboxMessage(writer, chatId, {
      authorId,
      type: "text",
      content: { text },
      quoteId: null,
    });

  const sent = await say(userId, "Продавец пишет");
  await expectFresh("after the seller wrote");
  await say(buyer, "Покупатель отвечает");
  await expectFresh("after the buyer wrote");
  await readChat(writer, userId, chatId);
  await expectFresh("after the seller read the chat");
  await readChat(writer, buyer, chatId);
  await expectFresh("after the buyer read the chat");
  const own = await say(userId, "Это сообщение будет удалено");
  await expectFresh("after another message");
  await deleteMessage(writer, userId, chatId, own.id);
  await expectFresh("after the newest message was deleted");
  const newcomer = await createAccountWithApp(writer, "Новый покупатель", []);
  const item = await demo.ctx.store.db
    .selectFrom("item")
    .select("id")
    .where("owner_id", "=", userId)
    .executeTakeFirstOrThrow();
  await openChat(writer, { type: "u2i", itemId: Number(item.id), buyerId: newcomer.user_id });
  await expectFresh("after a buyer opened a new chat");
  expect(sent.id).toMatch(/^[0-9a-f]{32}$/);
});
