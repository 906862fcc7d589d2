// The data generator behind `beseda seed`: a large, realistic world planned from a random seed
// and written through the store's bulk path. Many accounts, one "hot" seller who owns a fifth of
// the chats, 80% u2i, 15% u2u and 5% a2u chats, messages per chat following a power law that sums
// exactly to the requested total, about a fifth of the chats with unread messages for one side.
//
// The rows are what the API would have written: seq 1..n per chat, the chat's last_seq,
// last_message_id and updated from its newest message, chat_member rows mirroring the chat,
// unread counts and read marks that agree with every message's read_at (a participant reads the
// chat when answering it, and the tail at some point later unless the chat is left unread).
// Chats are generated and written one batch at a time, so memory stays bounded by the batch and
// the largest chat, whatever the totals.
import type { Clock } from "../clock.ts";
import { type BulkMember, insertBulk } from "../store/bulk.ts";
import type { Account, Chat, ChatType, Item, JsonObject, Message } from "../store/records.ts";
import { countAccounts } from "../store/repositories/accounts.ts";
import type { Store } from "../store/store.ts";
import {
  type AccountCredentials,
  AVITO_ACCOUNT_NAME,
  credentialsOf,
  ITEM_STATUS_ACTIVE,
  ITEM_STATUSES,
} from "./accounts.ts";
import type { PublicUrls } from "./public-urls.ts";
import { SeedRandom, seededIds } from "./seed-random.ts";
import {
  BUYER_PHRASES,
  FIRST_NAMES,
  FRIEND_PHRASES,
  HOT_SELLER_NAME,
  ITEM_TITLES,
  LAST_INITIALS,
  LINKS,
  LOCATIONS,
  SELLER_PHRASES,
  SHOP_NAMES,
  SYSTEM_MESSAGES,
} from "./seed-texts.ts";

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
/** Messages are spread over the last 90 days of the sandbox clock. */
const WINDOW = 90 * DAY;

const SHARE_U2U = 0.15;
const SHARE_A2U = 0.05;
/** The hot seller's share of all chats (all of them u2i). */
const SHARE_HOT = 0.2;
/** Chats left with unread messages for one side. */
const SHARE_UNREAD = 0.2;
/** Sellers among the users (the hot seller included). */
const SHARE_SELLERS = 0.2;
/** Tail exponent of the Lomax (Pareto II) law of messages per chat. */
const ALPHA = 1.2;

/** Rows per transaction. */
const BATCH_MESSAGES = 25_000;
const BATCH_CHATS = 5_000;
const BATCH_ACCOUNTS = 10_000;
/** How many of the hot seller's chat ids the result lists. */
const LISTED_CHATS = 100;

export interface SeedOptions {
  chats: number;
  messages: number;
  randomSeed: number;
}

export interface SeedProgress {
  chats: number;
  messages: number;
}

export interface SeedResult {
  /** The hot seller. */
  seller: AccountCredentials;
  /** Up to 100 of the hot seller's u2i chats. */
  chatIds: string[];
  /** The hot seller's chat with the most messages. */
  busiestChatId: string | null;
  chats: number;
  messages: number;
  accounts: number;
}

export interface SeedContext {
  store: Store;
  clock: Clock;
  /** Item messages link to the item's page and picture on this server, as the demo world's do. */
  urls: PublicUrls;
}

/** The store already holds accounts: a seed only goes into an empty data dir. */
export class SeedRefusedError extends Error {}

/** Which kind of chat a planned chat is. */
const KIND_HOT = 0;
const KIND_U2I = 1;
const KIND_U2U = 2;
const KIND_A2U = 3;

interface ChatPlan {
  type: ChatType;
  item: Item | null;
  pairKey: string;
  /** u2i: [seller, buyer]; u2u: [a, b]; a2u: [Avito, user]. */
  members: [Account, Account];
}

interface World {
  avito: Account;
  /** users[0] is the hot seller; users[0..sellers) own items. */
  users: Account[];
  hotItems: Item[];
  otherItems: Item[];
  itemsByOwner: Map<number, Item[]>;
  accountById: Map<number, Account>;
}

function formatRubles(value: number): string {
  return `${String(value).replace(/\B(?=(\d{3})+(?!\d))/g, " ")} ₽`;
}

function planWorld(rng: SeedRandom, accountCount: number, hotChats: number, now: number): World {
  const userIds = new Set<number>();
  const account = (name: string, kind: Account["kind"]): Account => {
    let id = seededIds.userId(rng);
    while (userIds.has(id)) id = seededIds.userId(rng);
    userIds.add(id);
    return {
      id,
      name,
      kind,
      profileKey: seededIds.profileKey(rng),
      clientId: seededIds.clientId(rng),
      clientSecret: seededIds.secret(rng),
      created: now - WINDOW - rng.int(730 * DAY),
    };
  };
  const avito = account(AVITO_ACCOUNT_NAME, "avito");
  const userCount = accountCount - 1;
  const sellerCount = Math.max(2, Math.round(userCount * SHARE_SELLERS));
  const users: Account[] = [account(HOT_SELLER_NAME, "user")];
  for (let i = 1; i < userCount; i++) {
    const name =
      i < sellerCount && rng.chance(0.4)
        ? rng.pick(SHOP_NAMES)
        : `${rng.pick(FIRST_NAMES)} ${rng.pick([...LAST_INITIALS])}.`;
    users.push(account(name, "user"));
  }

  const itemIds = new Set<number>();
  const item = (owner: Account, statusId: number): Item => {
    let id = seededIds.itemId(rng);
    while (itemIds.has(id)) id = seededIds.itemId(rng);
    itemIds.add(id);
    const [title, low, high] = rng.pick(ITEM_TITLES);
    return {
      id,
      ownerId: owner.id,
      title,
      priceString: formatRubles(Math.round(rng.between(low, high) / 100) * 100),
      statusId,
      created: now - WINDOW - rng.int(180 * DAY),
      address: null,
      category: null,
    };
  };
  const [hot] = users;
  if (!hot) throw new Error("no hot seller");
  const hotItems = Array.from({ length: Math.max(3, Math.round(hotChats / 8)) }, () =>
    item(hot, ITEM_STATUS_ACTIVE),
  );
  const otherItems: Item[] = [];
  for (const seller of users.slice(1, sellerCount)) {
    const count = 1 + Math.floor(6 * rng.float() ** 2);
    for (let i = 0; i < count; i++) {
      otherItems.push(item(seller, rng.chance(0.05) ? ITEM_STATUSES[1] : ITEM_STATUS_ACTIVE));
    }
  }
  const itemsByOwner = new Map<number, Item[]>();
  for (const i of [...hotItems, ...otherItems]) {
    const list = itemsByOwner.get(i.ownerId) ?? [];
    list.push(i);
    itemsByOwner.set(i.ownerId, list);
  }
  const accountById = new Map([avito, ...users].map((a) => [a.id, a]));
  return { avito, users, hotItems, otherItems, itemsByOwner, accountById };
}

/**
 * Messages per chat: Lomax-distributed weights, filled like water up to a cap (so that no chat
 * takes more than a few percent of everything) and topped up one by one: exactly `total` in all,
 * at least one per chat when there are enough.
 */
export function messageCounts(rng: SeedRandom, chats: number, total: number): Int32Array {
  const counts = new Int32Array(chats);
  if (chats === 0) return counts;
  const floor = total >= chats ? 1 : 0;
  const cap = Math.max(Math.ceil(total / chats), Math.min(total, Math.max(1000, total / 50)));
  counts.fill(floor);
  const weights = new Float64Array(chats);
  for (let i = 0; i < chats; i++) weights[i] = (1 - rng.float53()) ** (-1 / ALPHA) - 1;
  let left = total - floor * chats;
  for (let round = 0; round < 50 && left >= chats; round++) {
    let open = 0;
    for (let i = 0; i < chats; i++) if ((counts[i] as number) < cap) open += weights[i] as number;
    if (open === 0) break;
    let used = 0;
    for (let i = 0; i < chats; i++) {
      const room = cap - (counts[i] as number);
      if (room <= 0) continue;
      const add = Math.min(room, Math.floor(((weights[i] as number) / open) * left));
      counts[i] = (counts[i] as number) + add;
      used += add;
    }
    left -= used;
    if (used === 0) break;
  }
  while (left > 0) {
    const i = rng.int(chats);
    if ((counts[i] as number) < cap) {
      counts[i] = (counts[i] as number) + 1;
      left--;
    }
  }
  return counts;
}

/** One batch of rows on its way to the store. */
class Batch {
  chats: Chat[] = [];
  members: BulkMember[] = [];
  messages: Message[] = [];

  get full(): boolean {
    return this.messages.length >= BATCH_MESSAGES || this.chats.length >= BATCH_CHATS;
  }

  take(): { chats: Chat[]; members: BulkMember[]; messages: Message[] } {
    const rows = { chats: this.chats, members: this.members, messages: this.messages };
    this.chats = [];
    this.members = [];
    this.messages = [];
    return rows;
  }
}

/** Shared content objects: the bulk path serialises each once. */
function contentPools(rng: SeedRandom) {
  const texts = (phrases: readonly string[]) => {
    const single = phrases.map((text) => ({ text }));
    const double = Array.from({ length: phrases.length * 3 }, () => ({
      text: `${rng.pick(phrases)} ${rng.pick(phrases)}`,
    }));
    return { single, double };
  };
  return {
    buyer: texts(BUYER_PHRASES),
    seller: texts(SELLER_PHRASES),
    friend: texts(FRIEND_PHRASES),
    system: SYSTEM_MESSAGES.map(([text, flow_id]) => ({ text, flow_id })),
    links: LINKS.map((link) => ({ link })),
    locations: LOCATIONS.map((location) => ({ location })),
    empty: {},
  };
}

/** Writes the generated world into an empty store. */
export async function seedWorld(
  ctx: SeedContext,
  options: SeedOptions,
  onProgress: (done: SeedProgress) => void = () => {},
): Promise<SeedResult> {
  if ((await countAccounts(ctx.store.db)) > 0) {
    throw new SeedRefusedError("the data dir already holds accounts; seed into an empty one");
  }
  const rng = new SeedRandom(options.randomSeed);
  const now = ctx.clock.now();
  const total = options.chats;
  const accountCount = Math.max(10, Math.round(total / 4));
  const userCount = accountCount - 1;
  const a2uCount = Math.min(userCount, Math.round(total * SHARE_A2U));
  const u2uCount = Math.min((userCount * (userCount - 1)) / 2, Math.round(total * SHARE_U2U));
  const u2iCount = total - a2uCount - u2uCount;
  const hotCount = Math.min(u2iCount, Math.max(1, Math.round(total * SHARE_HOT)));
  const world = planWorld(rng, accountCount, hotCount, now);
  const [hot] = world.users;
  if (!hot) throw new Error("no hot seller");

  // Kinds in random order; the largest message count goes to one of the hot seller's chats.
  const kinds = new Uint8Array(total);
  kinds.fill(KIND_HOT, 0, hotCount);
  kinds.fill(KIND_U2I, hotCount, u2iCount);
  kinds.fill(KIND_U2U, u2iCount, u2iCount + u2uCount);
  kinds.fill(KIND_A2U, u2iCount + u2uCount);
  rng.shuffle(kinds);
  const counts = messageCounts(rng, total, options.messages);
  const firstHot = kinds.indexOf(KIND_HOT);
  if (firstHot >= 0) {
    let busiest = 0;
    for (let i = 1; i < total; i++)
      if ((counts[i] as number) > (counts[busiest] as number)) busiest = i;
    [counts[firstHot], counts[busiest]] = [counts[busiest] as number, counts[firstHot] as number];
  }

  // One a2u chat per user at most (its pair key is the user): the hot seller's first.
  const a2uUsers = [hot, ...rng.shuffle(world.users.slice(1))].slice(0, a2uCount);
  const pairs = new Set<string>();
  const pools = contentPools(rng);
  const itemContents = new Map<number, JsonObject>();
  const itemContent = (item: Item): JsonObject => {
    let content = itemContents.get(item.id);
    if (!content) {
      content = {
        item: {
          title: item.title,
          item_url: ctx.urls.item(item.id),
          image_url: ctx.urls.itemImage(item.id, "140x105"),
          price_string: item.priceString,
        },
      };
      itemContents.set(item.id, content);
    }
    return content;
  };
  /** A user other than `except`, for whom `key(user)` names a chat not opened yet. */
  const freePartner = (except: number, key: (user: Account) => string): Account | undefined => {
    for (let attempt = 0; attempt < 64; attempt++) {
      const user = rng.pick(world.users);
      if (user.id !== except && !pairs.has(key(user))) {
        pairs.add(key(user));
        return user;
      }
    }
    return undefined;
  };
  const skewed = <T>(list: readonly T[]): T =>
    list[Math.floor(list.length * rng.float() ** 2)] as T;

  /** Who the next chat of `kind` is between, and about which item. */
  const participants = (kind: number, a2uIndex: number): ChatPlan => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      if (kind === KIND_A2U) {
        const user = a2uUsers[a2uIndex] as Account;
        return { type: "a2u", item: null, pairKey: `a2u:${user.id}`, members: [world.avito, user] };
      }
      if (kind === KIND_U2U) {
        const a = rng.pick(world.users);
        const b = freePartner(a.id, (u) => `u2u:${Math.min(a.id, u.id)}:${Math.max(a.id, u.id)}`);
        if (!b) continue;
        return {
          type: "u2u",
          item: null,
          pairKey: `u2u:${Math.min(a.id, b.id)}:${Math.max(a.id, b.id)}`,
          members: [a, b],
        };
      }
      const item = skewed(kind === KIND_HOT ? world.hotItems : world.otherItems);
      const buyer = freePartner(item.ownerId, (u) => `u2i:${item.id}:${u.id}`);
      if (!buyer) continue;
      const seller = world.accountById.get(item.ownerId) as Account;
      return { type: "u2i", item, pairKey: `u2i:${item.id}:${buyer.id}`, members: [seller, buyer] };
    }
    throw new Error("could not find a pair of users without a chat; ask for fewer chats");
  };

  const batch = new Batch();
  const done: SeedProgress = { chats: 0, messages: 0 };
  const chatIds: string[] = [];
  const busiest = { id: null as string | null, count: -1 };
  const flush = async () => {
    const rows = batch.take();
    if (rows.chats.length === 0) return;
    await insertBulk(ctx.store, rows);
    done.chats += rows.chats.length;
    done.messages += rows.messages.length;
    onProgress({ ...done });
  };

  await ctx.store.withBulkLoad(async () => {
    const accounts = [world.avito, ...world.users];
    const items = [...world.hotItems, ...world.otherItems];
    for (let i = 0; i < Math.max(accounts.length, items.length); i += BATCH_ACCOUNTS) {
      await insertBulk(ctx.store, {
        accounts: accounts.slice(i, i + BATCH_ACCOUNTS),
        items: items.slice(i, i + BATCH_ACCOUNTS),
      });
    }
    let a2uIndex = 0;
    for (let i = 0; i < total; i++) {
      const kind = kinds[i] as number;
      const plan = participants(kind, a2uIndex);
      if (kind === KIND_A2U) a2uIndex++;
      const chat = writeChat(rng, batch, plan, counts[i] as number, now, (author, other, first) =>
        pickContent(rng, pools, plan, author, other, first, itemContent, world),
      );
      if (kind === KIND_HOT) {
        if (chatIds.length < LISTED_CHATS) chatIds.push(chat.id);
        if (chat.lastSeq > busiest.count) {
          busiest.id = chat.id;
          busiest.count = chat.lastSeq;
        }
      }
      if (batch.full) await flush();
    }
    await flush();
  });

  return {
    seller: credentialsOf(hot),
    chatIds,
    busiestChatId: busiest.id,
    chats: done.chats,
    messages: done.messages,
    accounts: accountCount,
  };
}

type Contents = ReturnType<typeof contentPools>;

/** The type and content of one message by `author` (0 or 1, an index into plan.members). */
function pickContent(
  rng: SeedRandom,
  pools: Contents,
  plan: ChatPlan,
  author: number,
  other: Account,
  first: boolean,
  itemContent: (item: Item) => JsonObject,
  world: World,
): { type: string; content: JsonObject } {
  if (plan.type === "a2u") return { type: "system", content: rng.pick(pools.system) };
  const r = rng.float();
  if (r < 0.005 && !first) return { type: "deleted", content: pools.empty };
  if (r < 0.025) return { type: "link", content: rng.pick(pools.links) };
  if (r < 0.04) {
    const writer = plan.members[author] as Account;
    const own = world.itemsByOwner.get(writer.id);
    const item =
      plan.item && (author === 1 || !own || rng.chance(0.5))
        ? plan.item
        : own
          ? rng.pick(own)
          : rng.pick(world.hotItems);
    return { type: "item", content: itemContent(item) };
  }
  if (r < 0.05) return { type: "location", content: rng.pick(pools.locations) };
  if (r < 0.06) {
    return { type: "call", content: { call: { status: "missed", target_user_id: other.id } } };
  }
  const pool = plan.type === "u2u" ? pools.friend : author === 0 ? pools.seller : pools.buyer;
  if (first && plan.type === "u2i" && author === 1) {
    return { type: "text", content: pool.single[rng.int(2)] as JsonObject };
  }
  return {
    type: "text",
    content: rng.chance(0.12) ? rng.pick(pool.double) : rng.pick(pool.single),
  };
}

/** Generates one chat with `count` messages into the batch; returns the chat row. */
function writeChat(
  rng: SeedRandom,
  batch: Batch,
  plan: ChatPlan,
  count: number,
  now: number,
  content: (
    author: number,
    other: Account,
    first: boolean,
  ) => { type: string; content: JsonObject },
): Chat {
  // Who writes: the buyer opens a u2i chat, Avito alone writes in a2u; turns change more often
  // than not.
  const authors = new Uint8Array(count);
  let author = plan.type === "a2u" ? 0 : plan.type === "u2i" ? 1 : rng.int(2);
  for (let j = 0; j < count; j++) {
    authors[j] = author;
    if (plan.type !== "a2u" && rng.chance(0.6)) author = 1 - author;
  }
  // The side left with unread messages: the seller more often in u2i, the user in a2u. The other
  // side wrote last.
  let unreadSide = -1;
  if (count > 0 && rng.chance(SHARE_UNREAD)) {
    unreadSide =
      plan.type === "a2u" ? 1 : plan.type === "u2i" ? (rng.chance(0.7) ? 0 : 1) : rng.int(2);
    authors[count - 1] = 1 - unreadSide;
  }

  // When: strictly increasing seconds over a span that grows with the chat, ending more often
  // recently than long ago, within the last 90 days (longer only if the chat needs more seconds).
  const meanGap = 30 * 2 ** (rng.float() * 9);
  const span = Math.max(2 * count + MINUTE, Math.min(WINDOW - HOUR, Math.round(count * meanGap)));
  const end = now - MINUTE - Math.floor(rng.float() ** 2 * Math.max(0, WINDOW - span - MINUTE));
  const start = count > 1 ? end - span : end;
  const times = new Float64Array(count);
  if (count > 0) {
    let sum = 0;
    for (let j = 1; j < count; j++) {
      times[j] = -Math.log(1 - rng.float());
      sum += times[j] as number;
    }
    const scale = sum > 0 ? (span - (count - 1)) / sum : 0;
    times[0] = start;
    for (let j = 1; j < count; j++) {
      times[j] = (times[j - 1] as number) + 1 + Math.floor((times[j] as number) * scale);
    }
  }
  const created = count > 0 ? start - rng.int(MINUTE) : end;

  const chatId = seededIds.chatId(rng, plan.type);
  const messages: Message[] = new Array(count);
  let previous: Message | undefined;
  for (let j = 0; j < count; j++) {
    const by = authors[j] as number;
    const at = times[j] as number;
    const picked = content(by, plan.members[1 - by] as Account, j === 0);
    const message: Message = {
      id: seededIds.messageId(rng),
      chatId,
      seq: j + 1,
      authorId: (plan.members[by] as Account).id,
      type: picked.type,
      content: picked.content,
      quoteId:
        picked.type === "text" &&
        previous &&
        previous.authorId !== (plan.members[by] as Account).id &&
        previous.type !== "deleted" &&
        rng.chance(0.03)
          ? previous.id
          : null,
      attachmentId: null,
      created: at,
      readAt: null,
      deletedAt: picked.type === "deleted" ? Math.min(now, at + 1 + rng.int(HOUR - 1)) : null,
    };
    messages[j] = message;
    previous = message;
  }

  // Reads: a side reads the chat when it answers, so the other side's messages are read at its
  // next message; the tail after its last message is read a little after the chat's last message,
  // unless this side is the one left with unread messages.
  const last = count > 0 ? (times[count - 1] as number) : created;
  const tailRead = [0, 1].map(
    () => last + 1 + rng.int(Math.max(1, Math.min(HOUR, now - last - 1))),
  );
  const next = [-1, -1];
  const unread = [0, 0];
  const lastRead: (number | null)[] = [null, null];
  for (let j = count - 1; j >= 0; j--) {
    const by = authors[j] as number;
    const reader = 1 - by;
    const message = messages[j] as Message;
    if ((next[reader] as number) >= 0) message.readAt = next[reader] as number;
    else if (reader !== unreadSide) message.readAt = tailRead[reader] as number;
    else unread[reader] = (unread[reader] as number) + 1;
    if (message.readAt !== null && lastRead[reader] === null) lastRead[reader] = message.readAt;
    next[by] = times[j] as number;
  }

  const chat: Chat = {
    id: chatId,
    type: plan.type,
    itemId: plan.item?.id ?? null,
    pairKey: plan.pairKey,
    created,
    updated: count > 0 ? last : created,
    lastMessageId: count > 0 ? (messages[count - 1] as Message).id : null,
    lastSeq: count,
  };
  batch.chats.push(chat);
  for (const side of [0, 1]) {
    batch.members.push({
      chatId,
      userId: (plan.members[side] as Account).id,
      chatType: plan.type,
      itemId: chat.itemId,
      updated: chat.updated,
      unreadCount: unread[side] as number,
      lastReadAt: lastRead[side] as number | null,
    });
  }
  for (const message of messages) batch.messages.push(message);
  return chat;
}
