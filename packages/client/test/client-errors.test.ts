// Errors as classes chosen by status and cause, against a real Beseda: each carries the status,
// the body and the operation, and only a token problem leads to a renewal.
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import {
  AvitoConnectionError,
  AvitoError,
  AvitoNotFoundError,
  AvitoPermissionError,
  AvitoRateLimitError,
  AvitoTariffError,
  AvitoValidationError,
} from "../src/index.ts";
import { addFault, clientFor, recordingFetch } from "./client-helpers.ts";

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

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("the call succeeded");
    },
    (error: unknown) => error,
  );

describe("errors", () => {
  it("404: an unknown chat is AvitoNotFoundError naming the operation", async () => {
    const client = clientFor(server.url, w.seller);
    const error = await failure(client.getMessagesV3("u2i-AAAAAAAAAAAAAAAAAAAAAA"));
    expect(error).toBeInstanceOf(AvitoNotFoundError);
    expect(error).toBeInstanceOf(AvitoError);
    expect(error).toMatchObject({
      status: 404,
      operation: "getMessagesV3",
      body: { error: { code: 404 } },
    });
  });

  it("400: an offset past the wall is AvitoValidationError with its fields", async () => {
    const client = clientFor(server.url, w.seller);
    const error = await failure(client.getChatsV2({ offset: 1001 }));
    expect(error).toBeInstanceOf(AvitoValidationError);
    expect(error).toMatchObject({ status: 400, operation: "getChatsV2" });
    expect((error as AvitoValidationError).fields).toHaveProperty("offset");
  });

  it("403 for another account's path is AvitoPermissionError, and no token is renewed", async () => {
    const { fetch, sent } = recordingFetch();
    const client = clientFor(server.url, w.stranger, { fetch, userId: w.seller.user_id });
    const error = await failure(client.getChatsV2());
    expect(error).toBeInstanceOf(AvitoPermissionError);
    expect(error).toMatchObject({ status: 403, operation: "getChatsV2" });
    expect(sent.filter((r) => r.path === "/token")).toHaveLength(1);
  });

  it("402 is AvitoTariffError", async () => {
    await addFault(api, {
      operation: "chatRead",
      user_id: w.seller.user_id,
      status: 402,
      times: 1,
    });
    const client = clientFor(server.url, w.seller);
    const error = await failure(client.chatRead(w.chatId));
    expect(error).toBeInstanceOf(AvitoTariffError);
    expect(error).toMatchObject({ status: 402, operation: "chatRead" });
  });

  it("429 past maxRetries is AvitoRateLimitError with the wait the server asked for", async () => {
    await addFault(api, {
      operation: "getSubscriptions",
      user_id: w.seller.user_id,
      status: 429,
      retry_after: 7,
      times: 1,
    });
    const client = clientFor(server.url, w.seller, { maxRetries: 0 });
    const error = await failure(client.getSubscriptions());
    expect(error).toBeInstanceOf(AvitoRateLimitError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 7000, operation: "getSubscriptions" });
  });

  it("no answer is AvitoConnectionError with no status", async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const client = clientFor(`http://127.0.0.1:${port}`, w.seller, { maxRetries: 0 });
    const error = await failure(client.getChatsV2());
    expect(error).toBeInstanceOf(AvitoConnectionError);
    expect(error).toMatchObject({ status: undefined, operation: "getAccessToken" });
  });
});
