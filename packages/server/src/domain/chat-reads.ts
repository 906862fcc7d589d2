// getChatsV2 and getChatByIdV2: the page of an account's chats, or one of them, answered as
// encoded JSON. What changes (the times, the newest message) is read in one statement; who takes
// part, the item, and the users' profiles never change and come from the caches, read from the
// store only the first time (a few statements for all the chats of a page that missed). Whole
// answers are kept until what they show changes (views/kept-answers.ts).
import { BesedaError } from "../errors/beseda-error.ts";
import { findAccounts } from "../store/repositories/accounts.ts";
import {
  type ChatPageFilter,
  type ChatPageRow,
  readChatOf,
  readChatPage,
} from "../store/repositories/chat-pages.ts";
import { findItems } from "../store/repositories/items.ts";
import type { Db } from "../store/store.ts";
import { chatPartiesOf, memberChatParties } from "./chats.ts";
import type { DomainContext } from "./context.ts";
import type { ChatParties } from "./immutable-cache.ts";
import { type ChatToShow, chatJson, chatListJson } from "./views/chat-json.ts";
import type { JsonBytes } from "./views/json-bytes.ts";
import { accountScope, chatKey, chatListKey, chatScope } from "./views/kept-answers.ts";

export type ChatListQuery = Omit<ChatPageFilter, "userId">;

/** The account's chats, newest activity first. */
export async function listChats(
  ctx: DomainContext,
  userId: number,
  query: ChatListQuery,
): Promise<JsonBytes> {
  const kept = await ctx.keptAnswers.find(accountScope(userId), chatListKey(query));
  if ("answer" in kept) return kept.answer;
  const db = ctx.store.db;
  const chats = await toShow(ctx, db, await readChatPage(db, { ...query, userId }));
  const answer = chatListJson(ctx.fragments, chats, userId);
  ctx.keptAnswers.keep(kept.ticket, answer);
  return answer;
}

/** One chat of the account's, with its newest message; chat_not_found if it takes no part. */
export async function getChat(
  ctx: DomainContext,
  userId: number,
  chatId: string,
): Promise<JsonBytes> {
  const db = ctx.store.db;
  // Members only, from the cache: an unknown id keeps nothing (nor pushes a kept answer out).
  await memberChatParties(ctx, db, chatId, userId);
  const kept = await ctx.keptAnswers.find(chatScope(chatId), chatKey(userId));
  if ("answer" in kept) return kept.answer;
  const row = await readChatOf(db, userId, chatId);
  const [chat] = row ? await toShow(ctx, db, [row]) : [];
  if (!chat) throw new BesedaError("chat_not_found");
  const answer = chatJson(ctx.fragments, chat, userId);
  ctx.keptAnswers.keep(kept.ticket, answer);
  return answer;
}

/** The rows with who takes part in each, every fragment they show made and kept. */
async function toShow(
  ctx: DomainContext,
  db: Db,
  rows: readonly ChatPageRow[],
): Promise<ChatToShow[]> {
  const parties = await chatPartiesOf(
    ctx,
    db,
    rows.map((row) => row.chatId),
  );
  const chats = rows.flatMap((row) => {
    const found = parties.get(row.chatId);
    return found ? [{ row, parties: found }] : [];
  });
  await keepFragments(
    ctx,
    db,
    chats.map((chat) => chat.parties),
  );
  return chats;
}

/** Makes the item contexts and users' profiles the chats show that are not kept yet. */
async function keepFragments(
  ctx: DomainContext,
  db: Db,
  parties: readonly ChatParties[],
): Promise<void> {
  const { fragments } = ctx;
  const itemIds = new Set<number>();
  for (const { chat } of parties) {
    if (chat.itemId !== null && !fragments.item(chat.itemId)) itemIds.add(chat.itemId);
  }
  for (const item of await findItems(db, [...itemIds])) fragments.keepItem(item);

  const wanted: { userId: number; item: { id: number; ownerId: number } | undefined }[] = [];
  for (const { chat, participants } of parties) {
    const fragment = chat.itemId === null ? undefined : fragments.item(chat.itemId);
    const item =
      fragment && chat.itemId !== null ? { id: chat.itemId, ownerId: fragment.ownerId } : undefined;
    for (const userId of participants) {
      if (!fragments.user(userId, item)) wanted.push({ userId, item });
    }
  }
  if (wanted.length === 0) return;
  const accounts = new Map(
    (await findAccounts(db, [...new Set(wanted.map((w) => w.userId))])).map((a) => [a.id, a]),
  );
  for (const { userId, item } of wanted) {
    const account = accounts.get(userId);
    if (account) fragments.keepUser(account, item);
  }
}
