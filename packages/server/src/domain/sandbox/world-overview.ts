// The sandbox's read side: every account with its app, items and subscription; chats as neither
// participant sees them (both users, both unread counts); the messages of every chat in the order
// they were written. What `beseda accounts|chat|tail` print and the console will draw; the
// messenger API's own views (one participant's point of view) stay in ../views/.
import type { ChatType, ItemCategory, Message } from "../../store/records.ts";
import { listAccounts } from "../../store/repositories/accounts.ts";
import { findMembers, listChatsByActivity } from "../../store/repositories/chats.ts";
import { allItems } from "../../store/repositories/items.ts";
import { findMessages, listMessagesSince } from "../../store/repositories/messages.ts";
import { allSubscriptions } from "../../store/repositories/webhooks.ts";
import { requireAccount } from "../accounts.ts";
import { chatParties } from "../chats.ts";
import type { DomainContext } from "../context.ts";
import { contentOf } from "../views/message-view.ts";

export interface AccountOverview {
  user_id: number;
  name: string;
  kind: "user" | "avito";
  client_id: string;
  client_secret: string;
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
}

export async function accountsOverview(
  ctx: DomainContext,
): Promise<{ accounts: AccountOverview[] }> {
  const db = ctx.store.db;
  const accounts = await listAccounts(db);
  const [items, subscriptions] = await Promise.all([allItems(db), allSubscriptions(db)]);
  const subscriptionOf = new Map(subscriptions.map((s) => [s.userId, s]));
  // Each account's items oldest first.
  items.sort((a, b) => a.created - b.created || a.id - b.id);
  const itemsOf = Map.groupBy(items, (item) => item.ownerId);
  return {
    accounts: accounts.map((account) => {
      const subscription = subscriptionOf.get(account.id);
      return {
        user_id: account.id,
        name: account.name,
        kind: account.kind,
        client_id: account.clientId,
        client_secret: account.clientSecret,
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

export interface ChatOverview {
  chat_id: string;
  type: ChatType;
  item_id: number | null;
  created: number;
  updated: number;
  users: { user_id: number; unread_count: number; last_read_at: number | null }[];
  last_message: SandboxMessage | null;
}

export async function chatsOverview(
  ctx: DomainContext,
  filter: { userId: number | null; limit: number },
): Promise<{ chats: ChatOverview[] }> {
  const db = ctx.store.db;
  if (filter.userId !== null) await requireAccount(db, filter.userId);
  const chats = await listChatsByActivity(db, filter);
  const ids = chats.map((c) => c.id);
  const [members, lastMessages] = await Promise.all([
    findMembers(db, ids),
    findMessages(
      db,
      chats.flatMap((c) => (c.lastMessageId === null ? [] : [c.lastMessageId])),
    ),
  ]);
  const messageById = new Map(lastMessages.map((m) => [m.id, m]));
  const membersOf = Map.groupBy(members, (m) => m.chatId);
  return {
    chats: chats.map((chat) => {
      const last = chat.lastMessageId === null ? undefined : messageById.get(chat.lastMessageId);
      return {
        chat_id: chat.id,
        type: chat.type,
        item_id: chat.itemId,
        created: chat.created,
        updated: chat.updated,
        users: (membersOf.get(chat.id) ?? [])
          .sort((a, b) => a.userId - b.userId)
          .map((m) => ({
            user_id: m.userId,
            unread_count: m.unreadCount,
            last_read_at: m.lastReadAt,
          })),
        last_message: last ? sandboxMessage(ctx, last) : null,
      };
    }),
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
