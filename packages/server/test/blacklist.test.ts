// postBlacklistV2: blacklisted users can no longer write to the account, through the sandbox or
// the API; the body is validated (reason_id 1..4, known users, not oneself) and a refused
// request changes nothing.
import { afterAll, beforeAll, expect, test } from "vitest";
import { type JsonSchema, resolveRefs, sandboxDocument } from "../src/http/openapi/contract.ts";
import type { TestApi } from "./helpers/api.ts";
import { assertMatches } from "./helpers/contract-validator.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import type { TestServer } from "./helpers/test-server.ts";
import { serverWithWorld, type World } from "./helpers/world.ts";

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
});
afterAll(() => server.stop());

function blacklist(token: string, userId: number, json: unknown) {
  return api.call<{ error?: { fields?: Record<string, string> } }>("postBlacklistV2", {
    token,
    params: { user_id: userId },
    json,
  });
}

test("a blacklisted buyer can no longer write to the seller, by any route", async () => {
  const buyer = await api.createAccount("Спамер");
  const { chat_id: chatId } = await api.openChat({
    type: "u2i",
    item_id: w.itemId,
    user_id: buyer.user_id,
  });
  await api.text(chatId, buyer.user_id, "Купи рекламу");

  const response = await blacklist(w.sellerToken, w.seller.user_id, {
    users: [{ user_id: buyer.user_id, context: { item_id: w.itemId, reason_id: 1 } }],
  });
  expect(response.status).toBe(200);
  expect(response.body).toEqual({});

  const buyerToken = await api.token(buyer);
  const before = await storeSnapshot(server.ctx.store);
  const viaSandbox = await api.sandbox<{ error: { code: number; message: string } }>(
    "POST",
    `/chats/${chatId}/messages`,
    {
      author_id: buyer.user_id,
      type: "text",
      content: { text: "Ещё раз" },
    },
  );
  expect(viaSandbox.status).toBe(403);
  expect(viaSandbox.body.error.message).toMatch(/blacklisted/);
  const viaApi = await api.call("postSendMessage", {
    token: buyerToken,
    params: { user_id: buyer.user_id, chat_id: chatId },
    json: { message: { text: "А так?" }, type: "text" },
  });
  expect(viaApi.status).toBe(403);
  expect(await storeSnapshot(server.ctx.store)).toBe(before);

  // The seller can still answer, and other buyers still reach the seller.
  const answer = await api.call("postSendMessage", {
    token: w.sellerToken,
    params: { user_id: w.seller.user_id, chat_id: chatId },
    json: { message: { text: "Не пишите мне" }, type: "text" },
  });
  expect(answer.status).toBe(200);
  await expect(api.text(w.chatId, w.buyer.user_id, "Я не спамер")).resolves.toHaveProperty("id");

  // Blacklisting again is accepted and keeps one entry.
  expect(
    (
      await blacklist(w.sellerToken, w.seller.user_id, {
        users: [{ user_id: buyer.user_id, context: { reason_id: 4 } }],
      })
    ).status,
  ).toBe(200);
  const rows = await server.ctx.store.db
    .selectFrom("blacklist")
    .selectAll()
    .where("blocked_user_id", "=", buyer.user_id)
    .execute();
  expect(rows).toHaveLength(1);
  expect(rows[0]?.reason_id).toBe(4);
});

test("refuses bad bodies, naming the field, and changes nothing", async () => {
  const before = await storeSnapshot(server.ctx.store);
  const cases: [unknown, string][] = [
    [{}, "users"],
    [{ users: [] }, "users"],
    [{ users: [{}] }, "users[0].user_id"],
    [{ users: [{ user_id: "abc" }] }, "users[0].user_id"],
    [
      { users: [{ user_id: w.buyer.user_id, context: { reason_id: 5 } }] },
      "users[0].context.reason_id",
    ],
    [
      { users: [{ user_id: w.buyer.user_id, context: { reason_id: 0 } }] },
      "users[0].context.reason_id",
    ],
    [{ users: [{ user_id: 99_999_999 }] }, "users[0].user_id"],
    [{ users: [{ user_id: w.seller.user_id }] }, "users[0].user_id"],
    [
      { users: [{ user_id: w.buyer.user_id, context: { item_id: 3_999_999_999 } }] },
      "users[0].context.item_id",
    ],
  ];
  for (const [json, field] of cases) {
    const response = await blacklist(w.sellerToken, w.seller.user_id, json);
    expect(response.status, JSON.stringify(json)).toBe(400);
    expect(response.body.error?.fields, JSON.stringify(json)).toHaveProperty([field]);
  }
  expect(await storeSnapshot(server.ctx.store)).toBe(before);
});

test("the sandbox lists whom an account blacklisted, as its document says", async () => {
  const seller = await api.createAccount("Продавец со списком");
  const sellerToken = await api.token(seller);
  const first = await api.createAccount("Первый");
  const second = await api.createAccount("Второй");
  const { item_id: itemId } = await api.createItem(seller.user_id, "Стол");
  const listed = () =>
    api.sandbox<{ users: { user_id: number; reason_id: number | null }[] }>(
      "GET",
      `/accounts/${seller.user_id}/blacklist`,
    );
  expect((await listed()).body).toEqual({ users: [] });

  await blacklist(sellerToken, seller.user_id, {
    users: [{ user_id: first.user_id, context: { item_id: itemId, reason_id: 2 } }],
  });
  await blacklist(sellerToken, seller.user_id, { users: [{ user_id: second.user_id }] });
  const response = await listed();
  expect(response.status).toBe(200);
  const operation = resolveRefs(
    sandboxDocument,
    sandboxDocument.paths["/sandbox/v1/accounts/{user_id}/blacklist"] as JsonSchema,
  ) as {
    get: { responses: { "200": { content: { "application/json": { schema: JsonSchema } } } } };
  };
  assertMatches(
    "listBlacklist 200",
    operation.get.responses["200"].content["application/json"].schema,
    response.body,
  );
  // Both in the same second of the clock: their order is then by id.
  expect(response.body.users).toHaveLength(2);
  expect(response.body.users).toEqual(
    expect.arrayContaining([
      { user_id: first.user_id, reason_id: 2, item_id: itemId, created: expect.any(Number) },
      { user_id: second.user_id, reason_id: null, item_id: null, created: expect.any(Number) },
    ]),
  );

  const unknown = await api.sandbox("GET", "/accounts/999999999/blacklist");
  expect(unknown.status).toBe(404);
});
