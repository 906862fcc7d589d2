// What paging needs of a client, written as structural types over the generated document types:
// the SDK's client satisfies them, and so does any object with the same two methods (a wrapper,
// a test double, another version of the client). Nothing here exists at run time.
import type { components, operations } from "./generated/messenger.ts";

export type Chat = components["schemas"]["Chat"];
export type Message = components["schemas"]["Messages"][number];
export type ChatType = components["parameters"]["chatTypes"][number];

/** getChatsV2's filters; the pager sets `limit` and `offset` itself. */
export type ChatsQuery = Omit<
  NonNullable<operations["getChatsV2"]["parameters"]["query"]>,
  "limit" | "offset"
>;

export interface PageQuery {
  limit: number;
  offset: number;
}

export interface ChatsClient {
  getChatsV2(
    query: ChatsQuery & PageQuery,
    options?: { signal?: AbortSignal },
  ): Promise<{ chats?: Chat[] }>;
}

export interface MessagesClient {
  getMessagesV3(
    chatId: string,
    query: PageQuery,
    options?: { signal?: AbortSignal },
  ): Promise<Message[]>;
}
