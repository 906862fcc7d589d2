// Messages, ordered inside their chat by seq. Content is stored as JSON text so that the same
// column works on every dialect.
import type { Insertable, Selectable } from "kysely";
import { precompiled } from "../precompiled.ts";
import { type JsonObject, type Message, num, numOrNull } from "../records.ts";
import type { ChatType, MessageTable } from "../schema.ts";
import type { Db } from "../store.ts";

function toMessage(row: Selectable<MessageTable>): Message {
  return {
    id: row.id,
    chatId: row.chat_id,
    seq: num(row.seq),
    authorId: num(row.author_id),
    type: row.type,
    content: JSON.parse(row.content) as JsonObject,
    quoteId: row.quote_id,
    attachmentId: row.attachment_id,
    created: num(row.created),
    readAt: numOrNull(row.read_at),
    deletedAt: numOrNull(row.deleted_at),
  };
}

/** The row of a message: the inverse of toMessage; bulk loads pass a caching serializer. */
export function messageRow(
  message: Message,
  serialize: (content: object) => string = JSON.stringify,
): Insertable<MessageTable> {
  return {
    id: message.id,
    chat_id: message.chatId,
    seq: message.seq,
    author_id: message.authorId,
    type: message.type,
    content: serialize(message.content),
    quote_id: message.quoteId,
    attachment_id: message.attachmentId,
    created: message.created,
    read_at: message.readAt,
    deleted_at: message.deletedAt,
  };
}

const insertMessageRow = precompiled(
  [
    "id",
    "chat_id",
    "seq",
    "author_id",
    "type",
    "content",
    "quote_id",
    "attachment_id",
    "created",
    "read_at",
    "deleted_at",
  ],
  (db, row) => db.insertInto("message").values(row),
);

export async function insertMessage(db: Db, message: Message): Promise<void> {
  await insertMessageRow(db, messageRow(message));
}

export async function findMessage(db: Db, id: string): Promise<Message | undefined> {
  const row = await db.selectFrom("message").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toMessage(row);
}

export async function findMessages(db: Db, ids: readonly string[]): Promise<Message[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("message").selectAll().where("id", "in", ids).execute();
  return rows.map(toMessage);
}

/**
 * A page of the chat's history, newest first: its newest `limit` messages, or those written
 * before the message of sequence `beforeSeq`.
 */
export async function listChatMessagesBefore(
  db: Db,
  chatId: string,
  beforeSeq: number | null,
  limit: number,
): Promise<Message[]> {
  let query = db.selectFrom("message").selectAll().where("chat_id", "=", chatId);
  if (beforeSeq !== null) query = query.where("seq", "<", beforeSeq);
  const rows = await query.orderBy("seq", "desc").limit(limit).execute();
  return rows.map(toMessage);
}

/**
 * The content of every message of `types` in the chats of one account (or all chats), of one
 * chat type or any: what the sandbox's search by text reads. No index serves a substring, and
 * SQLite's LIKE folds the case of ASCII letters only, so the caller matches them.
 */
export async function listMessageContents(
  db: Db,
  filter: { userId: number | null; chatType: ChatType | null; types: readonly string[] },
): Promise<{ chatId: string; type: string; content: JsonObject }[]> {
  if (filter.types.length === 0) return [];
  const { userId, chatType } = filter;
  const query = db
    .selectFrom("message")
    .select(["message.chat_id", "message.type", "message.content"])
    .where("message.type", "in", filter.types)
    .$if(userId !== null, (q) =>
      q.where("message.chat_id", "in", (eb) =>
        eb
          .selectFrom("chat_member")
          .select("chat_member.chat_id")
          .where("chat_member.user_id", "=", userId as number)
          .$if(chatType !== null, (m) =>
            m.where("chat_member.chat_type", "=", chatType as ChatType),
          ),
      ),
    )
    .$if(userId === null && chatType !== null, (q) =>
      q.where("message.chat_id", "in", (eb) =>
        eb
          .selectFrom("chat")
          .select("chat.id")
          .where("chat.type", "=", chatType as ChatType),
      ),
    );
  const rows = await query.execute();
  return rows.map((row) => ({
    chatId: row.chat_id,
    type: row.type,
    content: JSON.parse(row.content) as JsonObject,
  }));
}

/** Marks read, at `at`, the unread messages that `authorIds` wrote in the chat. */
export async function markIncomingRead(
  db: Db,
  chatId: string,
  authorIds: readonly number[],
  at: number,
): Promise<void> {
  if (authorIds.length === 0) return;
  await db
    .updateTable("message")
    .set({ read_at: at })
    .where("chat_id", "=", chatId)
    .where("author_id", "in", authorIds)
    .where("read_at", "is", null)
    .execute();
}

/** The message keeps its place in history with type "deleted" and empty content. */
export async function markMessageDeleted(db: Db, id: string, at: number): Promise<void> {
  await db
    .updateTable("message")
    .set({ type: "deleted", content: "{}", deleted_at: at })
    .where("id", "=", id)
    .execute();
}

/** Of `attachmentIds`, those that messages of `type` carry in chats where `userId` takes part. */
export async function attachmentsVisibleTo(
  db: Db,
  userId: number,
  type: string,
  attachmentIds: readonly string[],
): Promise<string[]> {
  if (attachmentIds.length === 0) return [];
  const rows = await db
    .selectFrom("message")
    .innerJoin("chat_member", "chat_member.chat_id", "message.chat_id")
    .select("message.attachment_id")
    .distinct()
    .where("chat_member.user_id", "=", userId)
    .where("message.type", "=", type)
    .where("message.attachment_id", "in", attachmentIds)
    .execute();
  return rows.flatMap((r) => (r.attachment_id === null ? [] : [r.attachment_id]));
}

/**
 * Messages of every chat (or one) written at or after `since`, oldest first: the sandbox's history
 * (`beseda tail --since`). Within a second, one chat's messages keep their order (by seq).
 * Inclusive, so a reader that keeps the ids of the last second misses nothing written in it. Of
 * every chat, it reads the table without an index: a rare call is not worth an index entry on
 * every send; of one chat, the (chat_id, seq) index serves it.
 */
export async function listMessagesSince(
  db: Db,
  filter: { chatId: string | null; since: number; limit: number },
): Promise<Message[]> {
  const query = db.selectFrom("message").selectAll().where("created", ">=", filter.since);
  const ordered =
    filter.chatId === null
      ? query.orderBy("created").orderBy("chat_id").orderBy("seq")
      : query.where("chat_id", "=", filter.chatId).orderBy("seq");
  const rows = await ordered.limit(filter.limit).execute();
  return rows.map(toMessage);
}

/** Every message, by chat and then in its chat's order: the sandbox's export. */
export async function allMessages(db: Db): Promise<Message[]> {
  const rows = await db
    .selectFrom("message")
    .selectAll()
    .orderBy("chat_id")
    .orderBy("seq")
    .execute();
  return rows.map(toMessage);
}
