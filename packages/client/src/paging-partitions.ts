// iterateAllChats: past the wall by splitting one query into several that together return the same
// chats, each with its own 1,100. First by chat type, then u2i chats by item (a chat has one
// item, so lists of item ids split u2i chats without overlap); a list that still reaches the wall
// is halved until it does not or holds a single item. u2u and a2u chats have nothing further to
// split on. Chats are yielded once each, in the order the queries found them (not by activity).
// The ids travel in the URL, and a URL has a limit (a proxy's, the server's headers: Beseda
// answers 431 somewhere past a thousand ids): so no query carries more than ITEM_IDS_PER_QUERY,
// a longer list is run in chunks of that size first, and only a chunk that walls is halved.
import { Paginated, type PagingOptions } from "./paging-pager.ts";
import type { Chat, ChatsClient, ChatsQuery, ChatType } from "./paging-types.ts";

export interface AllChatsOptions extends Omit<PagingOptions, "onWall"> {
  /**
   * The items the account's u2i chats may be about: for a seller, the ids of its own items
   * (`/core/v1/items`, every status). u2i chats are split on these and on the items of the chats
   * read before the split; a chat about an item in neither list cannot be reached (an account
   * that also buys has chats about other sellers' items: add those you know of).
   */
  itemIds?: Iterable<number>;
}

/** One query that was run, and what it gave. */
export interface PartitionReport {
  chat_types: ChatType[];
  item_ids?: number[];
  /** Chats it yielded that no earlier query had. */
  newChats: number;
  /** It stopped at the wall: it was split further if it could be. */
  reachedWall: boolean;
}

/** The document's default when `chat_types` is omitted: u2i only. */
const DEFAULT_CHAT_TYPES: ChatType[] = ["u2i"];

/** The most item ids one query carries (each adds up to 11 characters to the URL). */
export const ITEM_IDS_PER_QUERY = 100;

/** Distinct ids, ascending, in lists of at most `size`. */
function chunks(items: Iterable<number>, size: number): number[][] {
  const sorted = [...new Set(items)].sort((a, b) => a - b);
  const lists: number[][] = [];
  for (let at = 0; at < sorted.length; at += size) lists.push(sorted.slice(at, at + size));
  return lists;
}

function itemOf(chat: Chat): number | undefined {
  const id = chat.context?.value?.id;
  return typeof id === "number" ? id : undefined;
}

/**
 * Every chat of the query, beyond the 1,100 one query reaches. After the iteration, read
 * `reachedWall`, `splitOnItems` and `partitions` to know how far it got.
 */
export class AllChats implements AsyncIterable<Chat> {
  /** A query that could not be split further still hit the wall: some chats are out of reach. */
  reachedWall = false;
  /**
   * u2i chats were split on item ids. Every chat about an item of the list was reached (unless
   * `reachedWall`); one about an item missing from it cannot have been, and nothing tells
   * whether such chats exist: give `itemIds` to be sure.
   */
  splitOnItems = false;
  /** Each query run, in order. */
  readonly partitions: PartitionReport[] = [];
  readonly #client: ChatsClient;
  readonly #query: ChatsQuery;
  readonly #options: AllChatsOptions;

  constructor(client: ChatsClient, query: ChatsQuery, options: AllChatsOptions) {
    this.#client = client;
    this.#query = query;
    this.#options = options;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Chat, void, undefined> {
    this.reachedWall = false;
    this.splitOnItems = false;
    this.partitions.length = 0;
    const yielded = new Set<string>();
    const discoveredItems = new Set<number>();
    const { pageSize, signal } = this.#options;

    const self = this;
    async function* run(query: ChatsQuery): AsyncGenerator<Chat, boolean, undefined> {
      const pager = new Paginated<Chat>(
        "getChatsV2",
        async (offset, limit, signal) =>
          (await self.#client.getChatsV2({ ...query, limit, offset }, signal ? { signal } : {}))
            .chats ?? [],
        (chat) => chat.id,
        { pageSize, signal, onWall: "stop" },
      );
      const report: PartitionReport = {
        chat_types: query.chat_types ?? DEFAULT_CHAT_TYPES,
        ...(query.item_ids ? { item_ids: query.item_ids } : {}),
        newChats: 0,
        reachedWall: false,
      };
      self.partitions.push(report);
      for await (const chat of pager) {
        const item = itemOf(chat);
        if (item !== undefined) discoveredItems.add(item);
        if (chat.id !== undefined) {
          if (yielded.has(chat.id)) continue;
          yielded.add(chat.id);
        }
        report.newChats++;
        yield chat;
      }
      report.reachedWall = pager.reachedWall;
      return pager.reachedWall;
    }

    /**
     * Runs `base` over `items` (unless `ran`: that exact query already hit the wall), halving
     * the list while it still reaches the wall.
     */
    async function* cover(
      base: ChatsQuery,
      items: number[],
      ran = false,
    ): AsyncGenerator<Chat, void, undefined> {
      if (!ran && !(yield* run({ ...base, item_ids: items }))) return;
      if (items.length === 1) {
        self.reachedWall = true;
        return;
      }
      const half = Math.ceil(items.length / 2);
      yield* cover(base, items.slice(0, half));
      yield* cover(base, items.slice(half));
    }

    const given = this.#query.item_ids;
    if (given !== undefined && given.length > ITEM_IDS_PER_QUERY) {
      // Too many ids for one URL: the query as given, in chunks. The filter matches only chats
      // about those items, so the chunks together are the whole query.
      this.splitOnItems = true;
      for (const items of chunks(given, ITEM_IDS_PER_QUERY)) yield* cover(this.#query, items);
      return;
    }

    // The query as given: most accounts never reach the wall, and then this is all.
    if (!(yield* run(this.#query))) return;
    const types = this.#query.chat_types ?? DEFAULT_CHAT_TYPES;
    for (const type of types) {
      if (types.length > 1 && !(yield* run({ ...this.#query, chat_types: [type] }))) continue;
      if (type !== "u2i") {
        this.reachedWall = true;
        continue;
      }
      const items = new Set(given ?? this.#options.itemIds ?? []);
      if (given === undefined) for (const item of discoveredItems) items.add(item);
      if (items.size <= 1) {
        // Nothing to split on: the u2i chats past the wall stay out of reach.
        this.reachedWall = true;
        continue;
      }
      this.splitOnItems = true;
      const base: ChatsQuery = { ...this.#query, chat_types: ["u2i"] };
      const lists = chunks(items, ITEM_IDS_PER_QUERY);
      // A single list of the query's own ids is the u2i query just run: halve it straight away.
      const ran = given !== undefined;
      for (const list of lists) yield* cover(base, list, ran);
    }
  }
}
