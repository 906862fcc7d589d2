// Bearer tokens on the messenger API: a missing, malformed, unknown or expired token answers 403 in
// production's {"result":{…}} envelope (or the document's 401 with authErrors=document); an
// authorization_code token holds only its granted scopes; and a token acts for its own account
// only: another account's user_id is 403, another account's chat is 404, and nothing changes.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ApiResponse, type Credentials, TestApi } from "./helpers/api.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

const OPERATIONS = [
  "getChatsV2",
  "getChatByIdV2",
  "getMessagesV3",
  "postSendMessage",
  "deleteMessage",
  "chatRead",
  "postBlacklistV2",
] as const;
type OperationId = (typeof OPERATIONS)[number];

const READ_OPERATIONS = ["getChatsV2", "getChatByIdV2", "getMessagesV3", "chatRead"] as const;
const WRITE_OPERATIONS = ["postSendMessage", "deleteMessage", "postBlacklistV2"] as const;
/** The operations on one chat: another account's chat is "not found" for them. */
const CHAT_OPERATIONS = [
  "getChatByIdV2",
  "getMessagesV3",
  "postSendMessage",
  "deleteMessage",
  "chatRead",
] as const;

/** What an operation is called on: the path's account, chat and message, the user to blacklist. */
interface Target {
  userId: number;
  chatId: string;
  messageId: string;
  blockUserId: number;
}

function requestOf(operationId: OperationId, target: Target) {
  const account = { user_id: target.userId };
  const chat = { ...account, chat_id: target.chatId };
  switch (operationId) {
    case "getChatsV2":
      return { params: account };
    case "getChatByIdV2":
    case "getMessagesV3":
    case "chatRead":
      return { params: chat };
    case "postSendMessage":
      return { params: chat, json: { message: { text: "Проверка доступа" }, type: "text" } };
    case "deleteMessage":
      return { params: { ...chat, message_id: target.messageId } };
    case "postBlacklistV2":
      return { params: account, json: { users: [{ user_id: target.blockUserId }] } };
  }
}

function invoke(
  on: TestApi,
  operationId: OperationId,
  target: Target,
  auth: { token?: string; headers?: Record<string, string> },
): Promise<ApiResponse> {
  return on.call(operationId, { ...requestOf(operationId, target), ...auth });
}

const INVALID_TOKEN = { result: { status: false, message: "invalid access token" } };
const EXPIRED_TOKEN = { result: { status: false, message: "access token expired" } };

/** Headers that carry no usable bearer token, even when a valid token appears in them. */
function malformedHeaders(validToken: string): string[] {
  return [
    "",
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNzd29yZA==",
    validToken,
    `Token ${validToken}`,
    `Bearer${validToken}`,
    `Bearer ${validToken} ${validToken}`,
    `Bearer ${validToken},`,
  ];
}

function unknownTokens(validToken: string): string[] {
  return ["no-such-token", `${validToken}x`, validToken.slice(0, -1), validToken.toUpperCase()];
}

let server: TestServer;
let api: TestApi;
let w: World;
/** A chat of the buyer (B) and the stranger (C), which the seller (A) is not in. */
let bcChatId: string;
let bcMessageId: string;
/** The buyer's message in the seller–buyer chat. */
let buyerMessageId: string;
/** An OAuth app the seller grants scopes to. */
let oauthApp: Credentials;

let docServer: TestServer;
let docApi: TestApi;
let docWorld: World;

let expiryServer: TestServer;
let expiryApi: TestApi;
let expiryWorld: World;

beforeAll(async () => {
  [server, docServer, expiryServer] = await Promise.all([
    startTestServer(),
    startTestServer({ authErrors: "document" }),
    startTestServer(),
  ]);
  api = new TestApi(server.url, server.adminToken);
  docApi = new TestApi(docServer.url, docServer.adminToken);
  expiryApi = new TestApi(expiryServer.url, expiryServer.adminToken);
  [w, docWorld, expiryWorld] = await Promise.all([
    makeWorld(api),
    makeWorld(docApi),
    makeWorld(expiryApi),
  ]);
  ({ chat_id: bcChatId } = await api.openChat({
    type: "u2u",
    user_ids: [w.buyer.user_id, w.stranger.user_id],
  }));
  ({ id: bcMessageId } = await api.text(bcChatId, w.buyer.user_id, "Привет, это B"));
  await api.text(bcChatId, w.stranger.user_id, "Привет, это C");
  ({ id: buyerMessageId } = await api.text(w.chatId, w.buyer.user_id, "Жду ответа"));
  oauthApp = await api.createAccount("CRM");
});
afterAll(async () => {
  await Promise.all([server.stop(), docServer.stop(), expiryServer.stop()]);
});

/** The seller's own target in the seller–buyer chat, with a fresh own message to delete. */
async function sellerTarget(on: TestApi, world: World): Promise<Target> {
  const { id } = await on.text(world.chatId, world.seller.user_id, "Сообщение для удаления");
  return {
    userId: world.seller.user_id,
    chatId: world.chatId,
    messageId: id,
    blockUserId: world.stranger.user_id,
  };
}

async function grantedToken(scope?: string): Promise<string> {
  const code = await api.sandbox<{ code: string }>("POST", "/authorization-codes", {
    client_id: oauthApp.client_id,
    user_id: w.seller.user_id,
    ...(scope === undefined ? {} : { scope }),
  });
  expect(code.status, code.text).toBe(201);
  const response = await api.request<{ access_token: string; scope: string }>("POST", "/token", {
    form: {
      grant_type: "authorization_code",
      client_id: oauthApp.client_id,
      client_secret: oauthApp.client_secret,
      code: code.body.code,
    },
  });
  expect(response.status, response.text).toBe(200);
  expect(response.body.scope).toBe(scope ?? "messenger:read,messenger:write");
  return response.body.access_token;
}

function expectApiError(response: ApiResponse, status: number): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body).toEqual({ error: { code: status, message: expect.any(String) } });
}

// --- Bad tokens, production style ----------------------------------------------------------------

describe("bad tokens (production: 403 {result})", () => {
  test.each(OPERATIONS)(
    "%s without an Authorization header → 403 invalid access token",
    async (op) => {
      const target = await sellerTarget(api, w);
      const before = await storeSnapshot(server.ctx.store);
      const response = await invoke(api, op, target, {});
      expect(response.status).toBe(403);
      expect(response.body).toEqual(INVALID_TOKEN);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await storeSnapshot(server.ctx.store)).toBe(before);
    },
  );

  test("a malformed Authorization header → 403 invalid access token, on every operation", async () => {
    const target = await sellerTarget(api, w);
    const before = await storeSnapshot(server.ctx.store);
    for (const op of OPERATIONS) {
      for (const header of malformedHeaders(w.sellerToken)) {
        const response = await invoke(api, op, target, { headers: { authorization: header } });
        expect(response.status, `${op} with "${header}"`).toBe(403);
        expect(response.body).toEqual(INVALID_TOKEN);
      }
    }
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test("the scheme is case-insensitive", async () => {
    for (const scheme of ["bearer", "BEARER"]) {
      const response = await api.call("getChatsV2", {
        params: { user_id: w.seller.user_id },
        headers: { authorization: `${scheme} ${w.sellerToken}` },
      });
      expect(response.status).toBe(200);
    }
  });

  test("an unknown token → 403 invalid access token, on every operation", async () => {
    const target = await sellerTarget(api, w);
    const before = await storeSnapshot(server.ctx.store);
    for (const op of OPERATIONS) {
      for (const token of unknownTokens(w.sellerToken)) {
        const response = await invoke(api, op, target, { token });
        expect(response.status, `${op} with ${token}`).toBe(403);
        expect(response.body).toEqual(INVALID_TOKEN);
      }
    }
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test("the admin token is no messenger token", async () => {
    const response = await api.call("getChatsV2", {
      token: server.adminToken,
      params: { user_id: w.seller.user_id },
    });
    expect(response.status).toBe(403);
    expect(response.body).toEqual(INVALID_TOKEN);
  });

  test("a token expires after 86400 s of the sandbox clock → 403 access token expired", async () => {
    const target = await sellerTarget(expiryApi, expiryWorld);
    const token = expiryWorld.sellerToken;
    expect((await invoke(expiryApi, "getChatsV2", target, { token })).status).toBe(200);
    await expiryApi.advanceClock(86000);
    expect((await invoke(expiryApi, "getChatsV2", target, { token })).status).toBe(200);
    await expiryApi.advanceClock(400);

    const fresh = await sellerTarget(expiryApi, expiryWorld);
    const before = await storeSnapshot(expiryServer.ctx.store);
    for (const op of OPERATIONS) {
      const response = await invoke(expiryApi, op, fresh, { token });
      expect(response.status, op).toBe(403);
      expect(response.body).toEqual(EXPIRED_TOKEN);
    }
    expect(await storeSnapshot(expiryServer.ctx.store)).toBe(before);
    // A new token works again.
    const renewed = await expiryApi.token(expiryWorld.seller);
    expect((await invoke(expiryApi, "getChatsV2", fresh, { token: renewed })).status).toBe(200);
  });
});

// --- Bad tokens, document style ------------------------------------------------------------------

describe("bad tokens (authErrors=document: 401 {error})", () => {
  test("missing, malformed, unknown and expired tokens answer the document's 401", async () => {
    const target = await sellerTarget(docApi, docWorld);
    const invalid = { error: { code: 401, message: "invalid access token" } };
    const expired = { error: { code: 401, message: "access token expired" } };
    for (const op of OPERATIONS) {
      const missing = await invoke(docApi, op, target, {});
      expect(missing.status, op).toBe(401);
      expect(missing.body).toEqual(invalid);
      for (const header of malformedHeaders(docWorld.sellerToken)) {
        const malformed = await invoke(docApi, op, target, { headers: { authorization: header } });
        expect(malformed.status, `${op} with "${header}"`).toBe(401);
        expect(malformed.body).toEqual(invalid);
      }
      for (const token of unknownTokens(docWorld.sellerToken)) {
        const unknown = await invoke(docApi, op, target, { token });
        expect(unknown.status, `${op} with ${token}`).toBe(401);
        expect(unknown.body).toEqual(invalid);
      }
    }

    // Other refusals keep their own envelope: another account is still 403.
    const foreign = await invoke(docApi, "getChatsV2", target, { token: docWorld.buyerToken });
    expectApiError(foreign, 403);

    const token = docWorld.sellerToken;
    expect((await invoke(docApi, "getChatsV2", target, { token })).status).toBe(200);
    await docApi.advanceClock(86400);
    for (const op of OPERATIONS) {
      const response = await invoke(docApi, op, target, { token });
      expect(response.status, op).toBe(401);
      expect(response.body).toEqual(expired);
    }
  });
});

// --- Scopes --------------------------------------------------------------------------------------

describe("scopes", () => {
  test("a messenger:read token reads but cannot write", async () => {
    const token = await grantedToken("messenger:read");
    const target = await sellerTarget(api, w);
    for (const op of READ_OPERATIONS) {
      const response = await invoke(api, op, target, { token });
      expect(response.status, `${op}: ${response.text}`).toBe(200);
    }
    const before = await storeSnapshot(server.ctx.store);
    for (const op of WRITE_OPERATIONS) {
      const response = await invoke(api, op, target, { token });
      expectApiError(response, 403);
      expect((response.body as { error: { message: string } }).error.message).toContain(
        "messenger:write",
      );
    }
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test("a messenger:write token writes but cannot read", async () => {
    const token = await grantedToken("messenger:write");
    const target = await sellerTarget(api, w);
    const before = await storeSnapshot(server.ctx.store);
    for (const op of READ_OPERATIONS) {
      const response = await invoke(api, op, target, { token });
      expectApiError(response, 403);
      expect((response.body as { error: { message: string } }).error.message).toContain(
        "messenger:read",
      );
    }
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
    for (const op of WRITE_OPERATIONS) {
      const response = await invoke(api, op, target, { token });
      expect(response.status, `${op}: ${response.text}`).toBe(200);
    }
  });

  test("a token granted both scopes can do everything", async () => {
    const token = await grantedToken();
    const target = await sellerTarget(api, w);
    for (const op of OPERATIONS) {
      const response = await invoke(api, op, target, { token });
      expect(response.status, `${op}: ${response.text}`).toBe(200);
    }
  });

  test("a client_credentials token can do everything", async () => {
    const target = await sellerTarget(api, w);
    for (const op of OPERATIONS) {
      const response = await invoke(api, op, target, { token: w.sellerToken });
      expect(response.status, `${op}: ${response.text}`).toBe(200);
    }
  });
});

// --- Other accounts ------------------------------------------------------------------------------

describe("a token acts for its own account only", () => {
  test.each(OPERATIONS)(
    "%s: A's token on B's user_id → 403, no data, nothing changed",
    async (op) => {
      // B is in this chat and wrote this message: only the token's account is wrong.
      const onB: Target = {
        userId: w.buyer.user_id,
        chatId: w.chatId,
        messageId: buyerMessageId,
        blockUserId: w.stranger.user_id,
      };
      const before = await storeSnapshot(server.ctx.store);
      const response = await invoke(api, op, onB, { token: w.sellerToken });
      expectApiError(response, 403);
      // The same for a chat of B and C, and for an account that does not exist.
      const onC = { ...onB, userId: w.stranger.user_id, chatId: bcChatId, messageId: bcMessageId };
      expectApiError(await invoke(api, op, onC, { token: w.sellerToken }), 403);
      const onNobody = { ...onB, userId: 999_999_999 };
      expectApiError(await invoke(api, op, onNobody, { token: w.sellerToken }), 403);
      expect(await storeSnapshot(server.ctx.store)).toBe(before);
    },
  );

  test.each(CHAT_OPERATIONS)(
    "%s: A's token and user_id on a chat of B and C → 404, as for a chat that does not exist",
    async (op) => {
      const onBC: Target = {
        userId: w.seller.user_id,
        chatId: bcChatId,
        messageId: bcMessageId,
        blockUserId: w.stranger.user_id,
      };
      const before = await storeSnapshot(server.ctx.store);
      const response = await invoke(api, op, onBC, { token: w.sellerToken });
      expectApiError(response, 404);
      const missing = await invoke(
        api,
        op,
        { ...onBC, chatId: "u2u-AAAAAAAAAAAAAAAAAAAAAA" },
        { token: w.sellerToken },
      );
      expectApiError(missing, 404);
      expect(response.body).toEqual(missing.body);
      expect(await storeSnapshot(server.ctx.store)).toBe(before);
    },
  );

  test("another account learns nothing, not even what its input lacks: 403 before validation", async () => {
    const before = await storeSnapshot(server.ctx.store);
    const path = api.pathOf("postSendMessage", { user_id: w.buyer.user_id, chat_id: w.chatId });
    for (const json of [{}, { message: { text: "x".repeat(1001) }, type: "text" }]) {
      expectApiError(await api.request("POST", path, { token: w.sellerToken, json }), 403);
    }
    const chats = api.pathOf("getChatsV2", { user_id: w.buyer.user_id });
    expectApiError(
      await api.request("GET", chats, { token: w.sellerToken, query: { offset: 5000 } }),
      403,
    );
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test("B's chat stays as it was for B", async () => {
    const messages = await api.call<{ id: string }[]>("getMessagesV3", {
      token: w.buyerToken,
      params: { user_id: w.buyer.user_id, chat_id: bcChatId },
    });
    expect(messages.status).toBe(200);
    expect(messages.body).toHaveLength(2);
    expect(messages.body.map((m) => m.id)).toContain(bcMessageId);
  });
});
