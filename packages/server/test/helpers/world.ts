// A small world most tests start from: a seller with an item, two buyers, a u2i chat with one
// buyer holding a message each way, and a personal token for each account.
import type { Config } from "../../src/config.ts";
import { type Credentials, TestApi } from "./api.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

export interface World {
  seller: Credentials;
  buyer: Credentials;
  stranger: Credentials;
  itemId: number;
  chatId: string;
  sellerToken: string;
  buyerToken: string;
  strangerToken: string;
}

export async function makeWorld(api: TestApi): Promise<World> {
  const seller = await api.createAccount("Продавец");
  const buyer = await api.createAccount("Покупатель");
  const stranger = await api.createAccount("Посторонний");
  const { item_id: itemId } = await api.createItem(seller.user_id, "Велосипед", "12 500 ₽");
  const { chat_id: chatId } = await api.openChat({
    type: "u2i",
    item_id: itemId,
    user_id: buyer.user_id,
  });
  await api.text(chatId, buyer.user_id, "Здравствуйте! Ещё продаётся?");
  await api.text(chatId, seller.user_id, "Да");
  return {
    seller,
    buyer,
    stranger,
    itemId,
    chatId,
    sellerToken: await api.token(seller),
    buyerToken: await api.token(buyer),
    strangerToken: await api.token(stranger),
  };
}

/** A fresh server (temporary data dir) with a client and the world above: most files start so. */
export async function serverWithWorld(
  overrides: Partial<Config> = {},
): Promise<{ server: TestServer; api: TestApi; w: World }> {
  const server = await startTestServer(overrides);
  const api = new TestApi(server.url, server.adminToken);
  return { server, api, w: await makeWorld(api) };
}
