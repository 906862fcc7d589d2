// Chats: who takes part, marking a chat read, and opening a chat from the sandbox (the list an
// account sees and one chat by id are chat-reads.ts). An account sees only chats it takes part
// in; any other chat id is "not found".
import { BesedaError } from "../errors/beseda-error.ts";
import type { Chat, ChatType } from "../store/records.ts";
import {
  findChatByPairKey,
  findChats,
  findMembers,
  insertChat,
  markMemberRead,
} from "../store/repositories/chats.ts";
import { findItem } from "../store/repositories/items.ts";
import { markIncomingRead } from "../store/repositories/messages.ts";
import type { Db } from "../store/store.ts";
import { avitoAccount, requireAccounts } from "./accounts.ts";
import type { DomainContext } from "./context.ts";
import { newChatId } from "./ids.ts";
import type { ChatParties } from "./immutable-cache.ts";
import { stampScopes } from "./read-versions.ts";
import { scopesOfChatRead, scopesOfNewChat } from "./views/kept-answers.ts";

/**
 * A chat's identity and the ids of its users, read once and then kept (they never change);
 * throws chat_not_found when there is no such chat.
 */
export async function chatParties(
  ctx: DomainContext,
  db: Db,
  chatId: string,
): Promise<ChatParties> {
  const parties = (await chatPartiesOf(ctx, db, [chatId])).get(chatId);
  if (!parties) throw new BesedaError("chat_not_found");
  return parties;
}

/**
 * The chat's parties, when `userId` takes part in it; chat_not_found otherwise, as for a chat
 * that does not exist (the API's 404: it is not among the account's chats).
 */
export async function memberChatParties(
  ctx: DomainContext,
  db: Db,
  chatId: string,
  userId: number,
): Promise<ChatParties> {
  const parties = await chatParties(ctx, db, chatId);
  if (!parties.participants.includes(userId)) throw new BesedaError("chat_not_found");
  return parties;
}

/**
 * The parties of each chat of `chatIds` that exists: the kept ones, the others read in two
 * statements (whatever their number) and kept.
 */
export async function chatPartiesOf(
  ctx: DomainContext,
  db: Db,
  chatIds: readonly string[],
): Promise<Map<string, ChatParties>> {
  const found = new Map<string, ChatParties>();
  const missing: string[] = [];
  for (const chatId of chatIds) {
    const kept = ctx.caches.chatParties.get(chatId);
    if (kept) found.set(chatId, kept);
    else missing.push(chatId);
  }
  if (missing.length === 0) return found;
  // One after the other: `db` may be a transaction, which runs one statement at a time.
  const chats = await findChats(db, missing);
  const membersOf = new Map<string, number[]>();
  for (const member of await findMembers(db, missing)) {
    const ids = membersOf.get(member.chatId);
    if (ids) ids.push(member.userId);
    else membersOf.set(member.chatId, [member.userId]);
  }
  for (const chat of chats) {
    // Chat ids reach clients only once the chat is committed, so this read is of committed rows.
    const parties: ChatParties = {
      chat: { id: chat.id, type: chat.type, itemId: chat.itemId },
      participants: membersOf.get(chat.id) ?? [],
    };
    ctx.caches.chatParties.set(chat.id, parties);
    found.set(chat.id, parties);
  }
  return found;
}

/** Marks the chat read for `userId` and every message of the other side as read now. */
export async function readChat(
  ctx: DomainContext,
  userId: number,
  chatId: string,
): Promise<{ ok: true }> {
  const now = ctx.clock.now();
  const changed = scopesOfChatRead(chatId, userId);
  await ctx.store.transaction(async (db) => {
    const { participants } = await memberChatParties(ctx, db, chatId, userId);
    await markMemberRead(db, chatId, userId, now);
    // By the other members' ids: the unread index then holds nothing but what is marked read,
    // however many of the reader's own messages the other side has left unread.
    const others = participants.filter((id) => id !== userId);
    await markIncomingRead(db, chatId, others, now);
    await stampScopes(ctx, db, changed);
  });
  ctx.keptAnswers.changed(changed);
  ctx.live.publish({ type: "chat_read", chat_id: chatId, user_id: userId, at: now });
  return { ok: true };
}

export type OpenChatInput =
  | { type: "u2i"; itemId: number; buyerId: number }
  | { type: "u2u"; userIds: readonly [number, number] }
  | { type: "a2u"; userId: number };

export interface OpenedChat {
  chat_id: string;
  type: ChatType;
  item_id: number | null;
  user_ids: number[];
  created: number;
}

/**
 * Sandbox: opens the chat between a buyer and an item's seller, between two users, or between a
 * user and Avito. The same pair (and item) again returns the existing chat: `created` is false.
 */
export async function openChat(
  ctx: DomainContext,
  input: OpenChatInput,
  at?: number,
): Promise<{ chat: OpenedChat; created: boolean }> {
  const opened = await ctx.store.transaction(async (db) => {
    let memberIds: number[];
    let itemId: number | null = null;
    let pairKey: string;
    if (input.type === "u2i") {
      const item = await findItem(db, input.itemId);
      if (!item) throw new BesedaError("item_not_found");
      await requireAccounts(db, [input.buyerId]);
      if (item.ownerId === input.buyerId) {
        throw new BesedaError("chat_conflict", {
          message: "The buyer is the item's owner: a u2i chat needs two different users",
        });
      }
      memberIds = [item.ownerId, input.buyerId];
      itemId = item.id;
      pairKey = `u2i:${item.id}:${input.buyerId}`;
    } else if (input.type === "u2u") {
      const [a, b] = input.userIds;
      if (a === b) {
        throw new BesedaError("chat_conflict", { message: "A u2u chat needs two different users" });
      }
      await requireAccounts(db, [a, b]);
      memberIds = [a, b];
      pairKey = `u2u:${Math.min(a, b)}:${Math.max(a, b)}`;
    } else {
      const [user] = await requireAccounts(db, [input.userId]);
      if (user?.kind === "avito") {
        throw new BesedaError("chat_conflict", { message: "Avito cannot chat with itself" });
      }
      memberIds = [(await avitoAccount(ctx, db)).id, input.userId];
      pairKey = `a2u:${input.userId}`;
    }
    const existing = await findChatByPairKey(db, pairKey);
    if (existing) return { chat: openedChat(existing, memberIds), created: false };
    const now = at ?? ctx.clock.now();
    const chat: Chat = {
      id: newChatId(ctx.random, input.type),
      type: input.type,
      itemId,
      pairKey,
      created: now,
      updated: now,
      lastMessageId: null,
      lastSeq: 0,
    };
    await insertChat(db, chat, memberIds);
    await stampScopes(ctx, db, scopesOfNewChat(memberIds));
    return { chat: openedChat(chat, memberIds), created: true };
  });
  if (opened.created) ctx.keptAnswers.changed(scopesOfNewChat(opened.chat.user_ids));
  return opened;
}

function openedChat(chat: Chat, memberIds: number[]): OpenedChat {
  return {
    chat_id: chat.id,
    type: chat.type,
    item_id: chat.itemId,
    user_ids: memberIds,
    created: chat.created,
  };
}
