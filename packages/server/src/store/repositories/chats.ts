// Chats and their members. A chat row holds what both sides share; a chat_member row holds one
// side's view (its unread count and read mark) and copies of the columns the list filters and
// sorts on, so that an account's chats list is one index range.
import type { Insertable, Selectable } from "kysely";
import { precompiled } from "../precompiled.ts";
import { type Chat, type ChatMember, type ChatType, num, numOrNull } from "../records.ts";
import type { ChatMemberTable, ChatTable } from "../schema.ts";
import type { Db } from "../store.ts";

function toChat(row: Selectable<ChatTable>): Chat {
  return {
    id: row.id,
    type: row.type,
    itemId: numOrNull(row.item_id),
    pairKey: row.pair_key,
    created: num(row.created),
    updated: num(row.updated),
    lastMessageId: row.last_message_id,
    lastSeq: num(row.last_seq),
  };
}

function toMember(row: Selectable<ChatMemberTable>): ChatMember {
  return {
    chatId: row.chat_id,
    userId: num(row.user_id),
    unreadCount: row.unread_count,
    lastReadAt: numOrNull(row.last_read_at),
    updated: num(row.updated),
  };
}

/** A member's row together with the chat columns chat_member mirrors for the list's index. */
export interface MemberOfChat extends ChatMember {
  chatType: ChatType;
  itemId: number | null;
}

/** The row of a chat: the inverse of toChat, for single and bulk inserts alike. */
export function chatRow(chat: Chat): Insertable<ChatTable> {
  return {
    id: chat.id,
    type: chat.type,
    item_id: chat.itemId,
    pair_key: chat.pairKey,
    created: chat.created,
    updated: chat.updated,
    last_message_id: chat.lastMessageId,
    last_seq: chat.lastSeq,
  };
}

export function memberRow(member: MemberOfChat): Insertable<ChatMemberTable> {
  return {
    chat_id: member.chatId,
    user_id: member.userId,
    chat_type: member.chatType,
    item_id: member.itemId,
    updated: member.updated,
    unread_count: member.unreadCount,
    last_read_at: member.lastReadAt,
  };
}

export async function insertChat(db: Db, chat: Chat, memberIds: readonly number[]): Promise<void> {
  await db.insertInto("chat").values(chatRow(chat)).execute();
  const members = memberIds.map((userId) =>
    memberRow({
      chatId: chat.id,
      userId,
      chatType: chat.type,
      itemId: chat.itemId,
      updated: chat.updated,
      unreadCount: 0,
      lastReadAt: null,
    }),
  );
  await db.insertInto("chat_member").values(members).execute();
}

export async function findChat(db: Db, id: string): Promise<Chat | undefined> {
  const row = await db.selectFrom("chat").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toChat(row);
}

export async function findChatByPairKey(db: Db, pairKey: string): Promise<Chat | undefined> {
  const row = await db
    .selectFrom("chat")
    .selectAll()
    .where("pair_key", "=", pairKey)
    .executeTakeFirst();
  return row && toChat(row);
}

export async function findChats(db: Db, ids: readonly string[]): Promise<Chat[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("chat").selectAll().where("id", "in", ids).execute();
  return rows.map(toChat);
}

export async function findMember(
  db: Db,
  chatId: string,
  userId: number,
): Promise<ChatMember | undefined> {
  const row = await db
    .selectFrom("chat_member")
    .selectAll()
    .where("chat_id", "=", chatId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row && toMember(row);
}

export async function findMembers(db: Db, chatIds: readonly string[]): Promise<ChatMember[]> {
  if (chatIds.length === 0) return [];
  const rows = await db
    .selectFrom("chat_member")
    .selectAll()
    .where("chat_id", "in", chatIds)
    .execute();
  return rows.map(toMember);
}

/** The chat's next message sequence and next event number: a new message takes one of each. */
export interface ChatAdvance {
  seq: number;
  eventPosition: number;
}

/**
 * A new message in the chat: takes the next message sequence and event number, makes the message
 * the chat's newest activity, and counts it unread for every member but the author.
 */
export async function advanceChat(
  db: Db,
  chatId: string,
  messageId: string,
  authorId: number,
  at: number,
): Promise<ChatAdvance> {
  const { rows } = await advanceChatRow(db, { chatId, messageId, at });
  const row = rows[0];
  if (!row) throw new Error(`no chat ${chatId}`);
  await advanceMembers(db, { chatId, authorId, at });
  return { seq: num(row.last_seq), eventPosition: num(row.event_seq) };
}

const advanceChatRow = precompiled(["chatId", "messageId", "at"], (db, v) =>
  db
    .updateTable("chat")
    .set((eb) => ({
      last_seq: eb("last_seq", "+", 1),
      event_seq: eb("event_seq", "+", 1),
      last_message_id: v.messageId,
      updated: v.at,
    }))
    .where("id", "=", v.chatId)
    .returning(["last_seq", "event_seq"]),
);

const advanceMembers = precompiled(["chatId", "authorId", "at"], (db, v) =>
  db
    .updateTable("chat_member")
    .set((eb) => ({
      updated: v.at,
      unread_count: eb(
        "unread_count",
        "+",
        eb.case().when("user_id", "=", v.authorId).then(0).else(1).end(),
      ),
    }))
    .where("chat_id", "=", v.chatId),
);

export async function markMemberRead(
  db: Db,
  chatId: string,
  userId: number,
  at: number,
): Promise<void> {
  await db
    .updateTable("chat_member")
    .set({ unread_count: 0, last_read_at: at })
    .where("chat_id", "=", chatId)
    .where("user_id", "=", userId)
    .execute();
}

/** Which chats the sandbox lists: all of them, or one account's, of any type or of one. */
export interface ChatActivityFilter {
  userId: number | null;
  type: ChatType | null;
}

function chatsByActivity(db: Db, filter: ChatActivityFilter) {
  let query = db.selectFrom("chat");
  if (filter.userId !== null) {
    query = query
      .innerJoin("chat_member", "chat_member.chat_id", "chat.id")
      .where("chat_member.user_id", "=", filter.userId);
  }
  if (filter.type !== null) query = query.where("chat.type", "=", filter.type);
  return query.orderBy("chat.updated", "desc").orderBy("chat.id", "desc");
}

/** Chats by newest activity, a page of them. */
export async function listChatsByActivity(
  db: Db,
  filter: ChatActivityFilter & { limit: number; offset: number },
): Promise<Chat[]> {
  const rows = await chatsByActivity(db, filter)
    .selectAll("chat")
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return rows.map(toChat);
}

/** The ids of every chat the filter lets through, by newest activity: what a search narrows. */
export async function listChatIdsByActivity(db: Db, filter: ChatActivityFilter): Promise<string[]> {
  const rows = await chatsByActivity(db, filter).select("chat.id").execute();
  return rows.map((row) => row.id);
}

/** A participant of a chat, with the name of its account. */
export interface ChatPerson {
  chatId: string;
  userId: number;
  name: string;
}

/**
 * The participants of the chats the filter lets through, with their names: of one account's
 * chats, the other side only.
 */
export async function listChatPeople(db: Db, filter: ChatActivityFilter): Promise<ChatPerson[]> {
  let query = db
    .selectFrom("chat_member as person")
    .innerJoin("account", "account.id", "person.user_id")
    .select(["person.chat_id", "person.user_id", "account.name"]);
  if (filter.userId !== null) {
    query = query
      .innerJoin("chat_member as own", "own.chat_id", "person.chat_id")
      .where("own.user_id", "=", filter.userId)
      .where("person.user_id", "!=", filter.userId);
  }
  if (filter.type !== null) query = query.where("person.chat_type", "=", filter.type);
  const rows = await query.execute();
  return rows.map((row) => ({ chatId: row.chat_id, userId: num(row.user_id), name: row.name }));
}

/** Every chat, by id: the sandbox's export. */
export async function allChats(db: Db): Promise<Chat[]> {
  const rows = await db.selectFrom("chat").selectAll().orderBy("id").execute();
  return rows.map(toChat);
}

/** Every chat's members, by chat and account: the sandbox's export. */
export async function allMembers(db: Db): Promise<ChatMember[]> {
  const rows = await db
    .selectFrom("chat_member")
    .selectAll()
    .orderBy("chat_id")
    .orderBy("user_id")
    .execute();
  return rows.map(toMember);
}
