// Tokens when things go wrong, against a real Beseda: a failing TokenStore never loses a rotated
// refresh token, single-use grants are not resent after a lost answer (client_credentials is),
// and a caller's signal or timeout bounds its own wait for shared work (a renewal, the account
// lookup) without failing the other callers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import {
  AvitoConnectionError,
  AvitoGrantLostError,
  AvitoMessenger,
  type AvitoMessengerOptions,
  MemoryTokenStore,
  type StoredToken,
} from "../src/index.ts";
import { addFault, clientFor, faultFired, recordingFetch } from "./client-helpers.ts";

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
});
afterEach(async () => {
  await api.sandbox("DELETE", "/faults");
});
afterAll(() => server.stop());

async function expireTokens(userId: number): Promise<void> {
  expect((await api.sandbox("POST", `/accounts/${userId}/tokens/expire`)).status).toBe(200);
}

async function authorizationCode(): Promise<string> {
  const answer = await api.sandbox<{ code: string }>("POST", "/authorization-codes", {
    client_id: w.seller.client_id,
    user_id: w.seller.user_id,
    scope: "messenger:read,messenger:write",
  });
  expect(answer.status).toBe(201);
  return answer.body.code;
}

/** A client on the seller's consent (refresh tokens), not its personal token. */
function consentClient(options: AvitoMessengerOptions = {}): AvitoMessenger {
  return new AvitoMessenger({
    baseUrl: server.url,
    clientId: w.seller.client_id,
    clientSecret: w.seller.client_secret,
    userId: w.seller.user_id,
    ...options,
  });
}

/** A store whose writes fail while `down` is set, as a Redis that went away. */
class FlakyStore extends MemoryTokenStore {
  down = false;
  writes = 0;
  override async set(key: string, token: StoredToken): Promise<void> {
    if (this.down) throw new Error("store down");
    this.writes += 1;
    return super.set(key, token);
  }
}

describe("a failing TokenStore", () => {
  it("does not lose the rotated refresh token: the call goes on and the write is retried", async () => {
    const store = new FlakyStore();
    const storeErrors: unknown[] = [];
    let shiftMs = 0;
    const clock = {
      now: () => Date.now() + shiftMs,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    };
    const client = consentClient({
      tokenStore: store,
      clock,
      onTokenStoreError: (error) => storeErrors.push(error),
    });
    await client.exchangeCode(await authorizationCode());

    await expireTokens(w.seller.user_id);
    store.down = true;
    const chat = await client.getChatByIdV2(w.chatId);
    expect(chat.id).toBe(w.chatId);
    expect(storeErrors).toHaveLength(1);
    const rotated = client.token;

    // The store is back; the next calls (5 s later) write the token it missed.
    store.down = false;
    shiftMs = 6_000;
    await client.getChatByIdV2(w.chatId);
    await expect
      .poll(async () => (await store.get(`avito-messenger:${w.seller.client_id}`))?.refreshToken)
      .toBe(rotated?.refreshToken);

    // And the rotated refresh token is the one spent next: a renewal works again.
    await expireTokens(w.seller.user_id);
    expect((await client.getChatByIdV2(w.chatId)).id).toBe(w.chatId);
    expect(client.token?.refreshToken).not.toBe(rotated?.refreshToken);
  });
});

describe("single-use grants", () => {
  it("a refresh whose answer was lost is not sent again: AvitoGrantLostError", async () => {
    const { fetch, sent } = recordingFetch();
    const client = consentClient({ fetch, backoff: { baseMs: 20 } });
    await client.exchangeCode(await authorizationCode());
    await expireTokens(w.seller.user_id);
    const fault = await addFault(api, {
      operation: "getAccessToken",
      user_id: w.seller.user_id,
      status: 502,
      times: 1,
    });

    const error = await client.getChatByIdV2(w.chatId).catch((e: unknown) => e);

    expect(await faultFired(api, fault)).toBe(1);
    expect(error).toBeInstanceOf(AvitoGrantLostError);
    expect(error).toMatchObject({ operation: "getAccessToken", status: 502 });
    expect(sent.filter((r) => r.grant === "refresh_token")).toHaveLength(1);
    // Beseda's 502 came before the handler, so the refresh token was not spent: the next call
    // refreshes with it and goes through.
    expect((await client.getChatByIdV2(w.chatId)).id).toBe(w.chatId);
    expect(sent.filter((r) => r.grant === "refresh_token")).toHaveLength(2);
  });

  it("a refresh refused with 429 is retried: nothing was done", async () => {
    const { fetch, sent } = recordingFetch();
    const client = consentClient({ fetch });
    await client.exchangeCode(await authorizationCode());
    await expireTokens(w.seller.user_id);
    await addFault(api, {
      operation: "getAccessToken",
      user_id: w.seller.user_id,
      status: 429,
      retry_after: 1,
      times: 1,
    });
    expect((await client.getChatByIdV2(w.chatId)).id).toBe(w.chatId);
    expect(sent.filter((r) => r.grant === "refresh_token").map((r) => r.status)).toEqual([
      429, 200,
    ]);
  });

  it("client_credentials is retried after a lost answer", async () => {
    await addFault(api, {
      operation: "getAccessToken",
      user_id: w.buyer.user_id,
      status: 502,
      times: 1,
    });
    const { fetch, sent } = recordingFetch();
    const client = clientFor(server.url, w.buyer, { fetch, backoff: { baseMs: 20 } });
    expect((await client.getChatsV2()).chats).toBeDefined();
    expect(sent.filter((r) => r.grant === "client_credentials").map((r) => r.status)).toEqual([
      502, 200,
    ]);
  });
});

describe("a caller's signal and timeout on shared waits", () => {
  it("one caller aborting the account lookup does not fail the others", async () => {
    await addFault(api, {
      operation: "getUserInfoSelf",
      user_id: w.buyer.user_id,
      latency_ms: 300,
      times: 1,
    });
    // No userId: the first calls learn it from getUserInfoSelf, one lookup for all of them.
    const client = new AvitoMessenger({
      baseUrl: server.url,
      clientId: w.buyer.client_id,
      clientSecret: w.buyer.client_secret,
    });
    const mine = new AbortController();
    const reason = new Error("A gave up");
    const a = client.getChatsV2({}, { signal: mine.signal }).catch((e: unknown) => e);
    const b = client.getChatsV2();
    setTimeout(() => mine.abort(reason), 50);

    expect(await a).toBe(reason);
    expect((await b).chats?.map((chat) => chat.id)).toContain(w.chatId);
  });

  it("a signal stops the wait for a slow token renewal", async () => {
    await addFault(api, {
      operation: "getAccessToken",
      user_id: w.stranger.user_id,
      latency_ms: 2000,
      times: 1,
    });
    const client = clientFor(server.url, w.stranger);
    const started = Date.now();
    const error = await client
      .getChatsV2({}, { signal: AbortSignal.timeout(150) })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("timeoutMs bounds the wait for a slow token renewal too", async () => {
    await addFault(api, {
      operation: "getAccessToken",
      user_id: w.stranger.user_id,
      latency_ms: 2000,
      times: 1,
    });
    const client = clientFor(server.url, w.stranger);
    const started = Date.now();
    const error = await client.getChatsV2({}, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AvitoConnectionError);
    expect(error).toMatchObject({ operation: "getChatsV2", timedOut: true });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
