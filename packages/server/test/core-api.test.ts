// The calls around the messenger (Avito's user and items APIs under /core/v1): every answer is
// validated against the served user and items documents, objects closed; paging, the status
// filter and the other filters; bad parameters are 400 in the envelope naming them; another
// account's item and path; scopes of authorization_code tokens; each operation's own rate limit.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  findOperation,
  itemsDocument,
  type OpenApiDocument,
  userDocument,
} from "../src/http/openapi/contract.ts";
import { type ApiResponse, type Credentials, TestApi } from "./helpers/api.ts";
import { assertErrorEnvelope, assertMatches } from "./helpers/contract-validator.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

let server: TestServer;
let api: TestApi;
let seller: Credentials;
let other: Credentials;
let sellerToken: string;
let otherToken: string;
/** The seller's items by name, created oldest first. */
const items = new Map<string, number>();
let otherItem: number;
/** The UTC day ("YYYY-MM-DD") the seller's items were made on. */
let itemsDay: string;

function expectDocumented(document: OpenApiDocument, operationId: string, response: ApiResponse) {
  expect(response.status, response.text).toBe(200);
  const schema = findOperation(document, operationId).responseSchema;
  if (!schema) throw new Error(`${operationId} documents no 200 body`);
  assertMatches(operationId, schema, response.body);
}

function self(token: string | undefined): Promise<ApiResponse<Record<string, unknown>>> {
  return api.request("GET", "/core/v1/accounts/self", token === undefined ? {} : { token });
}

type ItemsPage = {
  meta: { page: number; per_page: number };
  resources: {
    id: number;
    title: string;
    price: number | null;
    status: string;
    url: string;
    address: string;
    category: { id: number; name: string };
  }[];
};

async function list(query: Record<string, string | number> = {}, token = sellerToken) {
  const response = await api.request<ItemsPage>("GET", "/core/v1/items", { token, query });
  if (response.status === 200) expectDocumented(itemsDocument, "getItemsInfo", response);
  return response;
}

function itemInfo(userId: number, itemId: number | string, token = sellerToken) {
  return api.request<Record<string, unknown>>(
    "GET",
    `/core/v1/accounts/${userId}/items/${itemId}/`,
    { token },
  );
}

async function codeToken(account: Credentials, scope: string): Promise<string> {
  const code = await api.sandbox<{ code: string }>("POST", "/authorization-codes", {
    client_id: account.client_id,
    user_id: account.user_id,
    scope,
  });
  expect(code.status, code.text).toBe(201);
  const token = await api.request<{ access_token: string; scope: string }>("POST", "/token", {
    form: {
      grant_type: "authorization_code",
      client_id: account.client_id,
      client_secret: account.client_secret,
      code: code.body.code,
    },
  });
  expect(token.status, token.text).toBe(200);
  return token.body.access_token;
}

/** Moves the sandbox clock to the start of the next minute: a test of limits runs in one window. */
async function startOfNextMinute(): Promise<void> {
  const intoMinuteMs = server.clock.nowMs() % 60_000;
  await api.advanceClock(Math.ceil((60_000 - intoMinuteMs) / 1000));
}

beforeAll(async () => {
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
  seller = await api.createAccount("Мебель «Беседа»");
  other = await api.createAccount("Другой продавец");
  // Items are made early in a UTC day, so that they share their day (updatedAtFrom counts days).
  const dayMs = 86_400_000;
  const nowMs = server.clock.nowMs();
  await api.advanceClock(Math.ceil((dayMs - (nowMs % dayMs) + 3_600_000) / 1000));
  itemsDay = new Date(server.clock.nowMs()).toISOString().slice(0, 10);
  const create = async (title: string, body: Record<string, unknown>) => {
    const response = await api.sandbox<{ item_id: number }>(
      "POST",
      `/accounts/${seller.user_id}/items`,
      { title, ...body },
    );
    expect(response.status, response.text).toBe(201);
    items.set(title, response.body.item_id);
    // One second apart: the list is newest first, and ties would order by id.
    await api.advanceClock(1);
  };
  await create("Диван", {
    price_string: "25 000 ₽",
    address: "Москва, Лесная улица 7",
    category: { id: 20, name: "Мебель и интерьер" },
  });
  await create("Велосипед", { price_string: "от 12 500 ₽" });
  await create("Шкаф", { price_string: "Договорная", status_id: 20 });
  await create("Лампа", {});
  await create("Стол", {
    price_string: "3 000 ₽",
    category: { id: 20, name: "Мебель и интерьер" },
  });
  otherItem = (await api.createItem(other.user_id, "Чужой товар")).item_id;
  sellerToken = await api.token(seller);
  otherToken = await api.token(other);
});
afterAll(() => server.stop());
// getItemsInfo allows 25 requests a minute: each test starts a minute of its own.
beforeEach(startOfNextMinute);

describe("GET /core/v1/accounts/self", () => {
  test("answers the token's account as UserInfoSelf, with a profile link that resolves", async () => {
    const response = await self(sellerToken);
    expectDocumented(userDocument, "getUserInfoSelf", response);
    const { body } = response;
    expect(body.id).toBe(seller.user_id);
    expect(body.name).toBe("Мебель «Беседа»");
    expect(body.email).toBe(`user${seller.user_id}@example.com`);
    expect(body.phone).toMatch(/^7000\d{7}$/);
    expect(body.phones).toEqual([body.phone]);
    const profile = await fetch(String(body.profile_url));
    expect(profile.status).toBe(200);
    expect(await profile.text()).toContain("Мебель «Беседа»");
    // Another token, another account.
    expect((await self(otherToken)).body.id).toBe(other.user_id);
  });

  test("refuses a missing, unknown or expired token as production does (403)", async () => {
    for (const token of [undefined, "no-such-token"]) {
      const response = await self(token);
      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        result: { status: false, message: "invalid access token" },
      });
    }
  });
});

describe("GET /core/v1/items", () => {
  test("lists the account's active items, newest first, with price, link, address and category", async () => {
    const response = await list();
    expect(response.body.meta).toEqual({ page: 1, per_page: 25 });
    const { resources } = response.body;
    expect(resources.map((r) => r.title)).toEqual(["Стол", "Лампа", "Велосипед", "Диван"]);
    const byTitle = new Map(resources.map((r) => [r.title, r]));
    expect(byTitle.get("Диван")).toEqual({
      id: items.get("Диван"),
      title: "Диван",
      price: 25000,
      status: "active",
      url: `${server.url}/items/${items.get("Диван")}`,
      address: "Москва, Лесная улица 7",
      category: { id: 20, name: "Мебель и интерьер" },
    });
    expect(byTitle.get("Велосипед")?.price).toBe(12500);
    // Nothing set: no price, and the schema's empty values for what the sandbox was not told.
    expect(byTitle.get("Лампа")).toMatchObject({
      price: null,
      address: "",
      category: { id: 0, name: "" },
    });
    const page = await fetch(String(byTitle.get("Диван")?.url));
    expect(page.status).toBe(200);
    // Another account's items never show.
    expect(resources.map((r) => r.id)).not.toContain(otherItem);
  });

  test("filters by status, a comma list or repeated keys", async () => {
    const removed = await list({ status: "removed" });
    expect(removed.body.resources.map((r) => [r.title, r.status])).toEqual([["Шкаф", "removed"]]);
    expect(removed.body.resources[0]?.price).toBeNull();
    const both = await list({ status: "active,removed" });
    expect(both.body.resources).toHaveLength(5);
    const repeated = await api.request<ItemsPage>(
      "GET",
      "/core/v1/items?status=removed&status=active",
      { token: sellerToken },
    );
    expect(repeated.body.resources).toHaveLength(5);
    // Sandbox items are never old, blocked or rejected.
    for (const status of ["old", "blocked", "rejected", "old,blocked,rejected"]) {
      expect((await list({ status })).body.resources).toEqual([]);
    }
    // "status=" lists nothing: the default holds.
    expect((await list({ status: "" })).body.resources).toHaveLength(4);
  });

  test("pages with per_page and page", async () => {
    const seen: number[] = [];
    for (const page of [1, 2, 3]) {
      const response = await list({ per_page: 2, page, status: "active,removed" });
      expect(response.body.meta).toEqual({ page, per_page: 2 });
      seen.push(...response.body.resources.map((r) => r.id));
      expect(response.body.resources.length).toBe(page < 3 ? 2 : 1);
    }
    expect(new Set(seen).size).toBe(5);
    expect(seen).toEqual(
      (await list({ status: "active,removed" })).body.resources.map((r) => r.id),
    );
    expect((await list({ per_page: 2, page: 4 })).body.resources).toEqual([]);
    expect((await list({ per_page: 99 })).status).toBe(200);
  });

  test("filters by category and by updatedAtFrom", async () => {
    const furniture = await list({ category: 20 });
    expect(furniture.body.resources.map((r) => r.title)).toEqual(["Стол", "Диван"]);
    const nextDay = new Date(Date.parse(itemsDay) + 86_400_000).toISOString().slice(0, 10);
    expect((await list({ updatedAtFrom: itemsDay })).body.resources).toHaveLength(4);
    expect((await list({ updatedAtFrom: nextDay })).body.resources).toEqual([]);
  });

  test("bad per_page, page, status or date: 400 naming the parameter", async () => {
    const cases: [Record<string, string | number>, string][] = [
      [{ per_page: 0 }, "per_page"],
      [{ per_page: 100 }, "per_page"],
      [{ per_page: "ten" }, "per_page"],
      [{ per_page: "1e1" }, "per_page"],
      [{ page: 0 }, "page"],
      [{ page: -1 }, "page"],
      [{ status: "sold" }, "status[0]"],
      [{ status: "active,sold" }, "status[1]"],
      [{ updatedAtFrom: "2026-13-01" }, "updatedAtFrom"],
      [{ category: "x" }, "category"],
    ];
    for (const [query, field] of cases) {
      const response = await api.request<{ error: { fields: Record<string, string> } }>(
        "GET",
        "/core/v1/items",
        { token: sellerToken, query },
      );
      expect(response.status, JSON.stringify(query)).toBe(400);
      assertErrorEnvelope(400, response.body);
      expect(Object.keys(response.body.error.fields), JSON.stringify(query)).toEqual([field]);
    }
  });
});

describe("GET /core/v1/accounts/{user_id}/items/{item_id}/", () => {
  test("answers one of the account's items, with or without the trailing slash", async () => {
    for (const suffix of ["/", ""]) {
      const response = await api.request<Record<string, unknown>>(
        "GET",
        `/core/v1/accounts/${seller.user_id}/items/${items.get("Диван")}${suffix}`,
        { token: sellerToken },
      );
      expectDocumented(itemsDocument, "getItemInfo", response);
      expect(response.body).toMatchObject({
        status: "active",
        url: `${server.url}/items/${items.get("Диван")}`,
        finish_time: null,
        autoload_item_id: null,
        vas: [],
      });
      expect(String(response.body.start_time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const removed = await itemInfo(seller.user_id, items.get("Шкаф") ?? 0);
    expect(removed.body.status).toBe("removed");
  });

  test("another account's item and an unknown one: the document's statuses, nothing else", async () => {
    const foreign = await itemInfo(seller.user_id, otherItem);
    expectDocumented(itemsDocument, "getItemInfo", foreign);
    expect(foreign.body).toEqual({
      status: "another_user",
      url: null,
      start_time: null,
      finish_time: null,
      autoload_item_id: null,
      vas: null,
    });
    const unknown = await itemInfo(seller.user_id, 9_999_999_999);
    expectDocumented(itemsDocument, "getItemInfo", unknown);
    expect(unknown.body.status).toBe("not_found");
  });

  test("another account's user_id in the path: 403, as on the messenger API", async () => {
    const response = await itemInfo(other.user_id, otherItem);
    expect(response.status).toBe(403);
    assertErrorEnvelope(403, response.body);
  });

  test("a bad item id: 400 naming it", async () => {
    const response = await itemInfo(seller.user_id, "abc");
    expect(response.status).toBe(400);
    assertErrorEnvelope(400, response.body);
    expect(response.text).toContain("item_id");
  });
});

describe("scopes", () => {
  test("authorization_code tokens need user:read for self and items:info for items", async () => {
    const userRead = await codeToken(seller, "user:read");
    const itemsInfo = await codeToken(seller, "items:info");
    const messenger = await codeToken(seller, "messenger:read,messenger:write");
    expect((await self(userRead)).status).toBe(200);
    expect((await list({}, itemsInfo)).status).toBe(200);
    expect((await itemInfo(seller.user_id, items.get("Диван") ?? 0, itemsInfo)).status).toBe(200);
    const refusals = [
      await self(itemsInfo),
      await self(messenger),
      await list({}, userRead),
      await list({}, messenger),
      await itemInfo(seller.user_id, items.get("Диван") ?? 0, userRead),
    ];
    for (const response of refusals) {
      expect(response.status).toBe(403);
      assertErrorEnvelope(403, response.body);
      expect(response.text).toMatch(/user:read|items:info/);
    }
  });
});

describe("rate limits", () => {
  test("getItemsInfo allows 25 requests a minute per account, then 429 with Retry-After", async () => {
    const account = await api.createAccount("Частый клиент");
    const token = await api.token(account);
    await startOfNextMinute();
    for (let n = 1; n <= 25; n++) {
      const response = await list({}, token);
      expect(response.status).toBe(200);
      expect(response.headers.get("x-ratelimit-limit")).toBe("25");
      expect(response.headers.get("x-ratelimit-remaining")).toBe(String(25 - n));
    }
    const limited = await list({}, token);
    expect(limited.status).toBe(429);
    assertErrorEnvelope(429, limited.body);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Its own budget: the account's other calls and other accounts' lists go on.
    expect((await self(token)).status).toBe(200);
    expect((await list({}, otherToken)).status).toBe(200);
    // The next minute of the sandbox clock starts afresh.
    await startOfNextMinute();
    expect((await list({}, token)).status).toBe(200);
  });

  test("getItemInfo and getUserInfoSelf carry their limits", async () => {
    const info = await itemInfo(seller.user_id, items.get("Диван") ?? 0);
    expect(info.headers.get("x-ratelimit-limit")).toBe("500");
    expect((await self(sellerToken)).headers.get("x-ratelimit-limit")).toBe("600");
  });
});
