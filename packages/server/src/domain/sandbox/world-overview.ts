// The sandbox's read side: every account with its app, items, subscription and use of the rate
// limit; chats as neither participant sees them (both users, both unread counts), searched and
// paged, or one by id; a chat's history a page at a time, newest first; the messages of every chat in the order
// they were written. What `beseda accounts|chat|tail` print and the console draws; the messenger
// API's own views (one participant's point of view) stay in ../views/.
import { BesedaError } from "../../errors/beseda-error.ts";
import type { Chat, ChatType, ItemCategory, Message } from "../../store/records.ts";
import { findAccounts, listAccounts } from "../../store/repositories/accounts.ts";
import { findChat, findMembers, listChatsByActivity } from "../../store/repositories/chats.ts";
import { allItems, findItems } from "../../store/repositories/items.ts";
import {
  findMessage,
  findMessages,
  listChatMessagesBefore,
  listMessagesSince,
} from "../../store/repositories/messages.ts";
import { allRedirectUris } from "../../store/repositories/redirect-uris.ts";
import { pausedAccounts } from "../../store/repositories/webhook-pauses.ts";
import { allSubscriptions } from "../../store/repositories/webhook-subscriptions.ts";
import { requireAccount } from "../accounts.ts";
import { chatParties } from "../chats.ts";
import type { DomainContext } from "../context.ts";
import type { RateLimitUse } from "../rate-limits/rate-limiter.ts";
import { contentOf } from "../views/message-view.ts";
import { type ChatSearch, searchChats } from "./chat-search.ts";

export interface AccountOverview {
  user_id: number;
  name: string;
  kind: "user" | "avito";
  client_id: string;
  client_secret: string;
  /** The app's registered redirect URIs (the consent page's), in order. */
  redirect_uris: string[];
  created: number;
  items: {
    item_id: number;
    title: string;
    price_string: string | null;
    status_id: number;
    address: string | null;
    category: ItemCategory | null;
    url: string;
  }[];
  subscription: { url: string; version: string } | null;
  /** Its deliveries wait, queued, until resumed (domain/webhooks/pauses.ts). */
  webhooks_paused: boolean;
  /** Its messenger API requests in the current minute of the sandbox clock, from every token. */
  rate_limit: RateLimitUse;
}

export async function accountsOverview(
  ctx: DomainContext,
): Promise<{ accounts: AccountOverview[] }> {
  const db = ctx.store.db;
  const accounts = await listAccounts(db);
  const [items, subscriptions, paused, redirectUris, rateLimits] = await Promise.all([
    allItems(db),
    allSubscriptions(db),
    pausedAccounts(db),
    allRedirectUris(db),
    // In the accounts' order.
    ctx.messengerRateLimit.usages(accounts.map((account) => account.id)),
  ]);
  const subscriptionOf = new Map(subscriptions.map((s) => [s.userId, s]));
  // Each account's items oldest first.
  items.sort((a, b) => a.created - b.created || a.id - b.id);
  const itemsOf = Map.groupBy(items, (item) => item.ownerId);
  return {
    accounts: accounts.map((account, index) => {
      const subscription = subscriptionOf.get(account.id);
      return {
        user_id: account.id,
        name: account.name,
        kind: account.kind,
        client_id: account.clientId,
        client_secret: account.clientSecret,
        redirect_uris: redirectUris.get(account.id) ?? [],
        created: account.created,
        items: (itemsOf.get(account.id) ?? []).map((item) => ({
          item_id: item.id,
          title: item.title,
          price_string: item.priceString,
          status_id: item.statusId,
          address: item.address,
          category: item.category,
          url: ctx.urls.item(item.id),
        })),
        subscription: subscription
          ? { url: subscription.url, version: subscription.version }
          : null,
        webhooks_paused: paused.has(account.id),
        rate_limit: rateLimits[index] as RateLimitUse,
      };
    }),
  };
}

/** A message as the sandbox shows it: whose it is, in which chat, read and deleted marks. */
export interface SandboxMessage {
  id: string;
  chat_id: string;
  author_id: number;
  created: number;
  type: string;
  content: Record<string, unknown>;
  quote_id: string | null;
  /** When the other participant read it, or null. */
  read: number | null;
  deleted: number | null;
}

export function sandboxMessage(ctx: DomainContext, message: Message): SandboxMessage {
  return {
    id: message.id,
    chat_id: message.chatId,
    author_id: message.authorId,
    created: message.created,
    type: message.type,
    content: contentOf(message, ctx.urls),
    quote_id: message.quoteId,
    read: message.readAt,
    deleted: message.deletedAt,
  };
}

/** A u2i chat's item, as the console shows it on the chat. */
export interface ChatItem {
  item_id: number;
  title: string;
  price_string: string | null;
  /** The item's picture (Beseda's placeholder, the one size it serves), as getChatsV2 links it. */
  image_url: string | null;
  url: string;
}

export interface ChatOverview {
  chat_id: string;
  type: ChatType;
  item_id: number | null;
  item: ChatItem | null;
  created: number;
  updated: number;
  users: {
    user_id: number;
    name: string;
    unread_count: number;
    last_read_at: number | null;
  }[];
  last_message: SandboxMessage | null;
}

/** Chats by newest activity, of every account or of one, of one type, searched, a page. */
export async function chatsOverview(
  ctx: DomainContext,
  filter: ChatSearch,
): Promise<{ chats: ChatOverview[] }> {
  const db = ctx.store.db;
  if (filter.userId !== null) await requireAccount(db, filter.userId);
  const chats =
    filter.text === null && filter.person === null
      ? await listChatsByActivity(db, filter)
      : await searchChats(db, filter);
  return { chats: await overviewsOf(ctx, chats) };
}

/** One chat as the list shows it (the console's open chat); chat_not_found when there is none. */
export async function chatOverview(ctx: DomainContext, chatId: string): Promise<ChatOverview> {
  const chat = await findChat(ctx.store.db, chatId);
  const [overview] = chat ? await overviewsOf(ctx, [chat]) : [];
  if (!overview) throw new BesedaError("chat_not_found");
  return overview;
}

/** Names, items and last messages of many chats in four queries, whatever their number. */
async function overviewsOf(ctx: DomainContext, chats: readonly Chat[]): Promise<ChatOverview[]> {
  const db = ctx.store.db;
  const members = await findMembers(
    db,
    chats.map((c) => c.id),
  );
  const [accounts, items, lastMessages] = await Promise.all([
    findAccounts(db, [...new Set(members.map((m) => m.userId))]),
    findItems(db, [...new Set(chats.flatMap((c) => (c.itemId === null ? [] : [c.itemId])))]),
    findMessages(
      db,
      chats.flatMap((c) => (c.lastMessageId === null ? [] : [c.lastMessageId])),
    ),
  ]);
  const nameOf = new Map(accounts.map((a) => [a.id, a.name]));
  const itemById = new Map(items.map((i) => [i.id, i]));
  const messageById = new Map(lastMessages.map((m) => [m.id, m]));
  const membersOf = Map.groupBy(members, (m) => m.chatId);
  return chats.map((chat): ChatOverview => {
    const last = chat.lastMessageId === null ? undefined : messageById.get(chat.lastMessageId);
    const item = chat.itemId === null ? undefined : itemById.get(chat.itemId);
    return {
      chat_id: chat.id,
      type: chat.type,
      item_id: chat.itemId,
      item: item
        ? {
            item_id: item.id,
            title: item.title,
            price_string: item.priceString,
            image_url: ctx.urls.itemImage(item.id, "140x105"),
            url: ctx.urls.item(item.id),
          }
        : null,
      created: chat.created,
      updated: chat.updated,
      users: (membersOf.get(chat.id) ?? [])
        .sort((a, b) => a.userId - b.userId)
        .map((m) => ({
          user_id: m.userId,
          name: nameOf.get(m.userId) ?? "",
          unread_count: m.unreadCount,
          last_read_at: m.lastReadAt,
        })),
      last_message: last ? sandboxMessage(ctx, last) : null,
    };
  });
}

/**
 * A page of a chat's history: its newest `limit` messages, or the `limit` written before the
 * message `before`, oldest first; `more` says whether older ones are left.
 */
export async function chatHistory(
  ctx: DomainContext,
  chatId: string,
  page: { limit: number; before: string | null },
): Promise<{ messages: SandboxMessage[]; more: boolean }> {
  const db = ctx.store.db;
  await chatParties(ctx, db, chatId);
  let beforeSeq: number | null = null;
  if (page.before !== null) {
    const before = await findMessage(db, page.before);
    if (!before || before.chatId !== chatId) {
      throw new BesedaError("message_not_found", {
        message: "Message not found: before names no message of this chat",
      });
    }
    beforeSeq = before.seq;
  }
  // One more than asked for: whether it is there says whether older ones are left.
  const newest = await listChatMessagesBefore(db, chatId, beforeSeq, page.limit + 1);
  return {
    messages: newest
      .slice(0, page.limit)
      .reverse()
      .map((message) => sandboxMessage(ctx, message)),
    more: newest.length > page.limit,
  };
}

/**
 * Messages written at or after `since` (unix seconds of the sandbox clock), of every chat or one,
 * oldest first. Inclusive: a follower asks again from the second of the last message it got and
 * skips the ids it already has.
 */
export async function messagesSince(
  ctx: DomainContext,
  filter: { chatId: string | null; since: number; limit: number },
): Promise<{ messages: SandboxMessage[] }> {
  if (filter.chatId !== null) await chatParties(ctx, ctx.store.db, filter.chatId);
  const messages = await listMessagesSince(ctx.store.db, filter);
  return { messages: messages.map((message) => sandboxMessage(ctx, message)) };
}
