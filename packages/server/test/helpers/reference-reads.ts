// The reads as they were built before they were written as encoded JSON (issue 15): objects made
// from the store's records, then JSON.stringify. Kept here as the reference that
// read-bytes.test.ts holds the new answers to, byte for byte.

import type { DomainContext } from "../../src/domain/context.ts";
import type { PublicUrls } from "../../src/domain/public-urls.ts";
import { type ChatView, itemContext, userView } from "../../src/domain/views/chat-view.ts";
import { contentOf, direction, messageView } from "../../src/domain/views/message-view.ts";
import { BesedaError } from "../../src/errors/beseda-error.ts";
import type { Account, Chat, Item, Message } from "../../src/store/records.ts";
import { findAccounts } from "../../src/store/repositories/accounts.ts";
import type { ChatPageFilter } from "../../src/store/repositories/chat-pages.ts";
import {
  findChat,
  findChats,
  findMember,
  findMembers,
} from "../../src/store/repositories/chats.ts";
import { findItems } from "../../src/store/repositories/items.ts";
import { findMessages, listChatMessagesBefore } from "../../src/store/repositories/messages.ts";
import type { Db } from "../../src/store/store.ts";

interface ChatParts {
  chat: Chat;
  users: Account[];
  item: Item | undefined;
  lastMessage: Message | undefined;
}

async function requireMembership(db: Db, chatId: string, userId: number): Promise<Chat> {
  const member = await findMember(db, chatId, userId);
  const chat = member && (await findChat(db, chatId));
  if (!member || !chat) throw new BesedaError("chat_not_found");
  return chat;
}

function sellerFirst(a: Account, b: Account, item: Item | undefined): number {
  return Number(b.id === item?.ownerId) - Number(a.id === item?.ownerId) || a.id - b.id;
}

async function partsOf(db: Db, chats: readonly Chat[]): Promise<ChatParts[]> {
  const members = await findMembers(
    db,
    chats.map((c) => c.id),
  );
  const [accounts, items, messages] = await Promise.all([
    findAccounts(db, [...new Set(members.map((m) => m.userId))]),
    findItems(db, [...new Set(chats.flatMap((c) => (c.itemId === null ? [] : [c.itemId])))]),
    findMessages(
      db,
      chats.flatMap((c) => (c.lastMessageId === null ? [] : [c.lastMessageId])),
    ),
  ]);
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const itemById = new Map(items.map((i) => [i.id, i]));
  const messageById = new Map(messages.map((m) => [m.id, m]));
  const usersByChat = new Map<string, Account[]>();
  for (const member of members) {
    const account = accountById.get(member.userId);
    if (!account) continue;
    const users = usersByChat.get(member.chatId);
    if (users) users.push(account);
    else usersByChat.set(member.chatId, [account]);
  }
  return chats.map((chat) => {
    const item = chat.itemId === null ? undefined : itemById.get(chat.itemId);
    const users = (usersByChat.get(chat.id) ?? []).sort((a, b) => sellerFirst(a, b, item));
    const lastMessage =
      chat.lastMessageId === null ? undefined : messageById.get(chat.lastMessageId);
    return { chat, users, item, lastMessage };
  });
}

function chatView(urls: PublicUrls, parts: ChatParts, viewerId: number): ChatView {
  const { chat, item, lastMessage } = parts;
  const view: ChatView = {
    id: chat.id,
    created: chat.created,
    updated: chat.updated,
    users: parts.users.map((user) => userView(urls, user, item)),
  };
  if (item) view.context = itemContext(urls, item);
  if (lastMessage) {
    view.last_message = {
      id: lastMessage.id,
      author_id: lastMessage.authorId,
      created: lastMessage.created,
      content: contentOf(lastMessage, urls),
      type: lastMessage.type,
      direction: direction(lastMessage, viewerId),
    };
  }
  return view;
}

/** The ids of the account's chats on the page, newest activity first (the old listMemberChats). */
async function pageOfChatIds(db: Db, filter: ChatPageFilter): Promise<string[]> {
  let query = db
    .selectFrom("chat_member")
    .select("chat_id")
    .where("user_id", "=", filter.userId)
    .where("chat_type", "in", filter.chatTypes);
  if (filter.itemIds) query = query.where("item_id", "in", filter.itemIds);
  if (filter.unreadOnly) query = query.where("unread_count", ">", 0);
  const rows = await query
    .orderBy("updated", "desc")
    .orderBy("chat_id", "desc")
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return rows.map((row) => row.chat_id);
}

export async function referenceChats(ctx: DomainContext, query: ChatPageFilter): Promise<string> {
  const db = ctx.store.db;
  const page = await pageOfChatIds(db, query);
  const byId = new Map((await findChats(db, page)).map((c) => [c.id, c]));
  const chats = page.map((id) => byId.get(id)).filter((c): c is Chat => c !== undefined);
  const parts = await partsOf(db, chats);
  return JSON.stringify({ chats: parts.map((p) => chatView(ctx.urls, p, query.userId)) });
}

export async function referenceChat(
  ctx: DomainContext,
  userId: number,
  chatId: string,
): Promise<string> {
  const chat = await requireMembership(ctx.store.db, chatId, userId);
  const [parts] = await partsOf(ctx.store.db, [chat]);
  if (!parts) throw new BesedaError("chat_not_found");
  return JSON.stringify(chatView(ctx.urls, parts, userId));
}

export async function referenceMessages(
  ctx: DomainContext,
  userId: number,
  chatId: string,
  page: { limit: number; offset: number },
): Promise<string> {
  const db = ctx.store.db;
  await requireMembership(db, chatId, userId);
  // The newest limit + offset, less the first offset: the page the old listChatMessages read.
  const messages = (await listChatMessagesBefore(db, chatId, null, page.limit + page.offset)).slice(
    page.offset,
  );
  const quoteIds = [...new Set(messages.flatMap((m) => (m.quoteId ? [m.quoteId] : [])))];
  const quoted = new Map((await findMessages(db, quoteIds)).map((m) => [m.id, m]));
  return JSON.stringify(
    messages.map((m) =>
      messageView(m, userId, ctx.urls, m.quoteId ? quoted.get(m.quoteId) : undefined),
    ),
  );
}
