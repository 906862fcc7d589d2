// The accounts and chats a load runs in: a seller with a personal token and a webhook
// subscription, buyers, and u2i chats between them (the seller's items), made through the sandbox
// and the messenger API of a running Beseda.
import type { BesedaClient } from "./beseda-client.ts";

export interface Account {
  user_id: number;
  client_id: string;
  client_secret: string;
}

export interface Seller extends Account {
  token: string;
}

export interface Chat {
  chatId: string;
  buyerId: number;
}

async function created<T>(answer: Promise<{ status: number; body: T; text: string }>) {
  const { status, body, text } = await answer;
  if (status !== 200 && status !== 201) throw new Error(`world set-up answered ${status}: ${text}`);
  return body;
}

export function createAccount(client: BesedaClient, name: string): Promise<Account> {
  return created(client.sandbox<Account>("POST", "/accounts", { name }));
}

export async function issueToken(client: BesedaClient, account: Account): Promise<string> {
  const body = await created(
    client.request<{ access_token: string }>("POST", "/token", {
      form: {
        grant_type: "client_credentials",
        client_id: account.client_id,
        client_secret: account.client_secret,
      },
    }),
  );
  return body.access_token;
}

/** A seller with a token, subscribed to `webhookUrl` (which must answer the probe with 200). */
export async function createSeller(
  client: BesedaClient,
  name: string,
  webhookUrl?: string,
): Promise<Seller> {
  const account = await createAccount(client, name);
  const token = await issueToken(client, account);
  if (webhookUrl !== undefined) {
    await created(
      client.request("POST", "/messenger/v3/webhook", { token, json: { url: webhookUrl } }),
    );
  }
  return { ...account, token };
}

/** `count` u2i chats of the seller, each about its own item, round the buyers given. */
export async function openChats(
  client: BesedaClient,
  seller: Account,
  buyers: readonly Account[],
  count: number,
): Promise<Chat[]> {
  const chats: Chat[] = [];
  for (let n = 0; n < count; n++) {
    const buyer = buyers[n % buyers.length] as Account;
    const { item_id } = await created(
      client.sandbox<{ item_id: number }>("POST", `/accounts/${seller.user_id}/items`, {
        title: `Товар ${n + 1}`,
        price_string: "1 000 ₽",
      }),
    );
    const { chat_id } = await created(
      client.sandbox<{ chat_id: string }>("POST", "/chats", {
        type: "u2i",
        item_id,
        user_id: buyer.user_id,
      }),
    );
    chats.push({ chatId: chat_id, buyerId: buyer.user_id });
  }
  return chats;
}

/** Paths of the messenger operations the loads use. */
export const paths = {
  send: (userId: number, chatId: string) =>
    `/messenger/v1/accounts/${userId}/chats/${encodeURIComponent(chatId)}/messages`,
  sendImage: (userId: number, chatId: string) =>
    `/messenger/v1/accounts/${userId}/chats/${encodeURIComponent(chatId)}/messages/image`,
  messages: (userId: number, chatId: string, offset = 0, limit = 100) =>
    `/messenger/v3/accounts/${userId}/chats/${encodeURIComponent(chatId)}/messages/?limit=${limit}&offset=${offset}`,
  chats: (userId: number) => `/messenger/v2/accounts/${userId}/chats?limit=20`,
  upload: (userId: number) => `/messenger/v1/accounts/${userId}/uploadImages`,
  sandboxMessage: (chatId: string) => `/chats/${encodeURIComponent(chatId)}/messages`,
};
