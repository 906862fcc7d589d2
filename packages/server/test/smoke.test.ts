import { afterAll, beforeAll, expect, test } from "vitest";
import { TestApi } from "./helpers/api.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

let server: TestServer;
let api: TestApi;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
  world = await makeWorld(api);
});
afterAll(() => server.stop());

test("harness", async () => {
  const chats = await api.call("getChatsV2", { token: world.sellerToken, params: { user_id: world.seller.user_id } });
  expect(chats.status).toBe(200);
  const msgs = await api.call("getMessagesV3", { token: world.sellerToken, params: { user_id: world.seller.user_id, chat_id: world.chatId } });
  expect(msgs.status).toBe(200);
  const chat = await api.call("getChatByIdV2", { token: world.sellerToken, params: { user_id: world.seller.user_id, chat_id: world.chatId } });
  expect(chat.status).toBe(200);
  const sent = await api.call("postSendMessage", { token: world.sellerToken, params: { user_id: world.seller.user_id, chat_id: world.chatId }, json: { message: { text: "hi" }, type: "text" } });
  expect(sent.status).toBe(200);
  const bad = await api.call("getChatsV2", { token: world.sellerToken, params: { user_id: world.seller.user_id }, query: { offset: 1001, limit: 0 } });
  expect(bad.status).toBe(400);
  console.log(JSON.stringify(bad.body), JSON.stringify(msgs.body).slice(0, 500));
});
