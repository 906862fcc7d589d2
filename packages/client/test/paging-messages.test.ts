// Paging a chat's messages against a real Beseda: a chat of 1,150 messages (written through the
// sandbox API) gives its newest 1,100 and the wall; a short chat gives all of its messages and no
// wall. Messages have nothing to split on, so beyond the wall there is no helper.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { TestApi } from "../../server/test/helpers/api.ts";
import type { TestServer } from "../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../server/test/helpers/world.ts";
import { AvitoMessenger } from "../src/index.ts";
import { iterateMessages, OFFSET_WALL, OffsetWallError } from "../src/paging.ts";

const LONG = 1150;

let server: TestServer;
let api: TestApi;
let w: World;
let client: AvitoMessenger;
let longChat: string;
/** The long chat's message ids, oldest first. */
const written: string[] = [];

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
  client = new AvitoMessenger({
    baseUrl: server.url,
    clientId: w.seller.client_id,
    clientSecret: w.seller.client_secret,
    userId: w.seller.user_id,
    budget: false,
  });
  const buyer = await api.createAccount("Очень разговорчивый покупатель");
  ({ chat_id: longChat } = await api.openChat({
    type: "u2i",
    item_id: w.itemId,
    user_id: buyer.user_id,
  }));
  // One at a time, so that the chat's order is the order written.
  for (let i = 0; i < LONG; i++) {
    const author = i % 2 === 0 ? buyer.user_id : w.seller.user_id;
    written.push((await api.text(longChat, author, `Сообщение ${i}`)).id);
  }
}, 60_000);

afterAll(() => server?.stop());

test("a long chat gives its newest 1,100 messages, newest first, then the wall", async () => {
  const messages = iterateMessages(client, longChat);
  const seen: string[] = [];
  for await (const message of messages) seen.push(message.id ?? "");
  expect(seen).toEqual(written.slice(-(OFFSET_WALL + 100)).reverse());
  expect(messages.reachedWall).toBe(true);
});

test("with onWall: throw, the wall is an OffsetWallError after the last reachable message", async () => {
  let count = 0;
  const error = await (async () => {
    for await (const _ of iterateMessages(client, longChat, { onWall: "throw", pageSize: 100 })) {
      count++;
    }
  })().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OffsetWallError);
  expect((error as OffsetWallError).operation).toBe("getMessagesV3");
  expect(count).toBe(1100);
});

test("a short chat gives every message and no wall", async () => {
  const messages = iterateMessages(client, w.chatId, { pageSize: 1 });
  const texts: unknown[] = [];
  for await (const message of messages) texts.push(message.content?.text);
  expect(texts).toEqual(["Да", "Здравствуйте! Ещё продаётся?"]);
  expect(messages.reachedWall).toBe(false);
});

test("an aborted signal stops the iteration with its reason", async () => {
  const controller = new AbortController();
  const messages = iterateMessages(client, longChat, { signal: controller.signal });
  let count = 0;
  const error = await (async () => {
    for await (const _ of messages) {
      if (++count === 150) controller.abort(new Error("enough"));
    }
  })().catch((e: unknown) => e);
  expect((error as Error).message).toBe("enough");
  expect(count).toBe(200);
});
