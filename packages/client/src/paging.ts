// Paging helpers over a client's getChatsV2 and getMessagesV3: async iterables that read 100 at a
// time and stop at production's offset wall (offset 1000) instead of running into its 400, and
// iterateAllChats, which reaches further by splitting the query. They use only those two methods,
// so any client with the same shape will do.
import { Paginated, type PagingOptions } from "./paging-pager.ts";
import { AllChats, type AllChatsOptions } from "./paging-partitions.ts";
import type { Chat, ChatsClient, ChatsQuery, Message, MessagesClient } from "./paging-types.ts";

export {
  MAX_PAGE_SIZE,
  OFFSET_WALL,
  OffsetWallError,
  type PageReader,
  Paginated,
  type PagingOptions,
  type PagingResult,
} from "./paging-pager.ts";
export {
  AllChats,
  type AllChatsOptions,
  ITEM_IDS_PER_QUERY,
  type PartitionReport,
} from "./paging-partitions.ts";
// Chat, Message and ChatType are the entry's operation types already: not exported again here.
export type { ChatsClient, ChatsQuery, MessagesClient, PageQuery } from "./paging-types.ts";

const callOptions = (signal: AbortSignal | undefined) => (signal ? { signal } : {});

/**
 * The account's chats matching `query`, newest activity first, at most 1,100 (the wall).
 * Remember the document's default: without `chat_types` only u2i chats come.
 */
export function iterateChats(
  client: ChatsClient,
  query: ChatsQuery = {},
  options: PagingOptions = {},
): Paginated<Chat> {
  return new Paginated<Chat>(
    "getChatsV2",
    async (offset, limit, signal) =>
      (await client.getChatsV2({ ...query, limit, offset }, callOptions(signal))).chats ?? [],
    (chat) => chat.id,
    options,
  );
}

/** A chat's messages, newest first, at most 1,100 (the wall: older ones are out of reach). */
export function iterateMessages(
  client: MessagesClient,
  chatId: string,
  options: PagingOptions = {},
): Paginated<Message> {
  return new Paginated<Message>(
    "getMessagesV3",
    (offset, limit, signal) => client.getMessagesV3(chatId, { limit, offset }, callOptions(signal)),
    (message) => message.id,
    options,
  );
}

/**
 * Every chat matching `query`, past the wall: split by chat type, then u2i chats by item (see
 * AllChats). Pass `itemIds` (a seller's own items) for a reach that can be called complete.
 */
export function iterateAllChats(
  client: ChatsClient,
  query: ChatsQuery = {},
  options: AllChatsOptions = {},
): AllChats {
  return new AllChats(client, query, options);
}
