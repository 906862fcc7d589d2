// What getMessagesV3 shows, read in one statement: a page of the chat's messages, newest first,
// each with the message it quotes. Contents come as the JSON text they are stored as, so that
// the answer can carry them without parsing and writing them again. Compiled once.
import { precompiled } from "../precompiled.ts";
import { num, numOrNull } from "../records.ts";
import type { Db } from "../store.ts";

/** A message as the messages list shows it, content still JSON text. */
export interface MessageOnPage {
  id: string;
  authorId: number;
  created: number;
  type: string;
  /** Stored JSON text, as JSON.stringify wrote it. */
  contentJson: string;
  attachmentId: string | null;
}

export interface MessagePageRow extends MessageOnPage {
  readAt: number | null;
  quote: MessageOnPage | null;
}

/**
 * A message from the columns a statement selected for it (a left join's: all null when there is
 * none, and then null).
 */
export function messageOnPage(columns: {
  id: string | null;
  authorId: number | string | bigint | null;
  created: number | string | bigint | null;
  type: string | null;
  content: string | null;
  attachmentId: string | null;
}): MessageOnPage | null {
  const { id, authorId, created, type, content } = columns;
  if (id === null || authorId === null || created === null || type === null || content === null) {
    return null;
  }
  return {
    id,
    authorId: num(authorId),
    created: num(created),
    type,
    contentJson: content,
    attachmentId: columns.attachmentId,
  };
}

const pageStatement = precompiled(["chatId", "limit", "offset"], (db, v) =>
  db
    .selectFrom("message")
    .leftJoin("message as quoted", "quoted.id", "message.quote_id")
    .select([
      "message.id",
      "message.author_id",
      "message.created",
      "message.type",
      "message.content",
      "message.attachment_id",
      "message.read_at",
      "quoted.id as quote_id",
      "quoted.author_id as quote_author_id",
      "quoted.created as quote_created",
      "quoted.type as quote_type",
      "quoted.content as quote_content",
      "quoted.attachment_id as quote_attachment_id",
    ])
    .where("message.chat_id", "=", v.chatId)
    .orderBy("message.seq", "desc")
    .limit(v.limit)
    .offset(v.offset),
);

/** The chat's messages, newest first, with their quotes. */
export async function readMessagePage(
  db: Db,
  chatId: string,
  limit: number,
  offset: number,
): Promise<MessagePageRow[]> {
  const { rows } = await pageStatement(db, { chatId, limit, offset });
  return rows.map((row) => ({
    id: row.id,
    authorId: num(row.author_id),
    created: num(row.created),
    type: row.type,
    contentJson: row.content,
    attachmentId: row.attachment_id,
    readAt: numOrNull(row.read_at),
    quote: messageOnPage({
      id: row.quote_id,
      authorId: row.quote_author_id,
      created: row.quote_created,
      type: row.quote_type,
      content: row.quote_content,
      attachmentId: row.quote_attachment_id,
    }),
  }));
}
