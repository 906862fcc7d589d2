// Tokens against a real Beseda: renewed once however many calls wait, through client_credentials
// and through a consent's single-use refresh tokens, before expiry and on production's 403, and
// shared between clients (processes) through one store.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import { systemClock } from "../src/clock.ts";
import { AvitoAuthenticationError, AvitoMessenger, MemoryTokenStore } from "../src/index.ts";
import { clientFor, recordingFetch, type SentRequest } from "./client-helpers.ts";

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
});
afterAll(() => server.stop());

// Twenty calls plus their second tries must not wait on the default budget here.
const roomy = { requestsPerMinute: 6000, burst: 100 };

const tokenCalls = (sent: SentRequest[], grant?: string) =>
  sent.filter((r) => r.path === "/token" && (grant === undefined || r.grant === grant)).length;

async function expireTokens(userId: number): Promise<void> {
  const answer = await api.sandbox("POST", `/accounts/${userId}/tokens/expire`);
  expect(answer.status).toBe(200);
}

async function authorizationCode(scope = "messenger:read,messenger:write,user:read") {
  const answer = await api.sandbox<{ code: string }>("POST", "/authorization-codes", {
    client_id: w.seller.client_id,
    user_id: w.seller.user_id,
    scope,
  });
  expect(answer.status).toBe(201);
  return answer.body.code;
}

describe("client_credentials", () => {
  it("renews an expired token ONCE while twenty concurrent calls wait on it", async () => {
    const { fetch, sent } = recordingFetch();
    const client = clientFor(server.url, w.seller, { fetch, budget: roomy });
    await client.getChatsV2();
    expect(tokenCalls(sent)).toBe(1);

    await expireTokens(w.seller.user_id);
    const pages = await Promise.all(
      Array.from({ length: 20 }, () => client.getChatsV2({ chat_types: ["u2i"] })),
    );

    expect(pages.every((page) => page.chats?.some((chat) => chat.id === w.chatId))).toBe(true);
    expect(tokenCalls(sent, "client_credentials")).toBe(2);
    // Each call met production's 403 once, then went through with the one new token.
    const chatCalls = sent.filter((r) => r.path.endsWith("/chats"));
    expect(chatCalls.filter((r) => r.status === 403)).toHaveLength(20);
    expect(chatCalls.filter((r) => r.status === 200)).toHaveLength(21);
  });

  it("renews shortly before expiry, without meeting a 403", async () => {
    const { fetch, sent } = recordingFetch();
    let shiftMs = 0;
    const clock = { now: () => Date.now() + shiftMs, sleep: systemClock.sleep };
    const client = clientFor(server.url, w.seller, { fetch, clock, refreshMarginMs: 120_000 });
    await client.getChatByIdV2(w.chatId);
    const first = client.token;
    // 23 h 59 min later by the client's clock: inside the two-minute margin of a 24 h token.
    shiftMs = 86_400_000 - 60_000;
    await client.getChatByIdV2(w.chatId);

    expect(tokenCalls(sent)).toBe(2);
    expect(client.token?.accessToken).not.toBe(first?.accessToken);
    expect(sent.filter((r) => r.status === 403)).toHaveLength(0);
  });

  it("shares one token between clients on one store, and renews it once for both", async () => {
    const store = new MemoryTokenStore();
    const a = recordingFetch();
    const b = recordingFetch();
    const clientA = clientFor(server.url, w.buyer, { fetch: a.fetch, tokenStore: store });
    const clientB = clientFor(server.url, w.buyer, { fetch: b.fetch, tokenStore: store });
    await clientA.getChatsV2();
    await clientB.getChatsV2();
    expect(tokenCalls(a.sent) + tokenCalls(b.sent)).toBe(1);
    expect(clientB.token?.accessToken).toBe(clientA.token?.accessToken);

    await expireTokens(w.buyer.user_id);
    await clientA.getChatsV2();
    // B meets the 403 too, but finds A's renewal in the store instead of asking /token.
    await clientB.getChatsV2();
    expect(tokenCalls(a.sent) + tokenCalls(b.sent)).toBe(2);
    expect(b.sent.some((r) => r.status === 403)).toBe(true);
  });

  it("refuses wrong credentials with AvitoAuthenticationError from getAccessToken", async () => {
    const client = clientFor(server.url, { ...w.seller, client_secret: "wrong" });
    const error = await client.getChatsV2().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AvitoAuthenticationError);
    expect(error).toMatchObject({ operation: "getAccessToken", status: 401 });
  });
});

describe("authorization_code + refresh_token", () => {
  it("spends each single-use refresh token once while twenty calls wait", async () => {
    const { fetch, sent } = recordingFetch();
    const client = new AvitoMessenger({
      baseUrl: server.url,
      clientId: w.seller.client_id,
      clientSecret: w.seller.client_secret,
      fetch,
      budget: roomy,
    });
    const signedIn = await client.exchangeCode(await authorizationCode());
    expect(signedIn.refreshToken).toBeTruthy();
    // No userId given: learned from /core/v1/accounts/self (the consent included user:read).
    expect(await client.userId()).toBe(w.seller.user_id);

    await expireTokens(w.seller.user_id);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.getMessagesV3(w.chatId, { limit: 5 })),
    );

    expect(results.every((messages) => messages.length === 2)).toBe(true);
    expect(tokenCalls(sent, "authorization_code")).toBe(1);
    // A second refresh with the same token would have been refused: there was exactly one.
    expect(tokenCalls(sent, "refresh_token")).toBe(1);
    expect(sent.filter((r) => r.path === "/token").every((r) => r.status === 200)).toBe(true);
    const renewed = client.token;
    expect(renewed?.refreshToken).toBeTruthy();
    expect(renewed?.refreshToken).not.toBe(signedIn.refreshToken);

    // The first refresh token is spent, as production has it: a reuse is invalid_grant.
    const reuse = await api.request("POST", "/token", {
      form: {
        grant_type: "refresh_token",
        client_id: w.seller.client_id,
        client_secret: w.seller.client_secret,
        refresh_token: signedIn.refreshToken ?? "",
      },
    });
    expect(reuse.status).toBe(400);
    expect(reuse.body).toMatchObject({ error: "invalid_grant" });
  });

  it("lets a second process on the same store adopt the renewal its refresh lost to", async () => {
    const store = new MemoryTokenStore();
    const a = recordingFetch();
    const b = recordingFetch();
    const options = {
      baseUrl: server.url,
      clientId: w.seller.client_id,
      clientSecret: w.seller.client_secret,
      userId: w.seller.user_id,
      tokenStore: store,
    };
    const clientA = new AvitoMessenger({ ...options, fetch: a.fetch });
    const clientB = new AvitoMessenger({ ...options, fetch: b.fetch });
    await clientA.exchangeCode(await authorizationCode("messenger:read,messenger:write"));
    await clientB.getChatByIdV2(w.chatId);

    await expireTokens(w.seller.user_id);
    // Both meet the 403 together and both try the same refresh token: one wins, the other is
    // refused (invalid_grant) and takes the winner's token from the store.
    const [chatA, chatB] = await Promise.all([
      clientA.getChatByIdV2(w.chatId),
      clientB.getChatByIdV2(w.chatId),
    ]);
    expect(chatA.id).toBe(w.chatId);
    expect(chatB.id).toBe(w.chatId);
    const refreshes = [...a.sent, ...b.sent].filter((r) => r.grant === "refresh_token");
    expect(refreshes.filter((r) => r.status === 200)).toHaveLength(1);
    expect(clientA.token?.accessToken).toBe(clientB.token?.accessToken);
  });
});
