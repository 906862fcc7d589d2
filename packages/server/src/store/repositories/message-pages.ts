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
    quote:
      row.quote_id === null ||
      row.quote_author_id === null ||
      row.quote_type === null ||
      row.quote_content === null
        ? null
        : {
            id: row.quote_id,
            authorId: num(row.quote_author_id),
            created: num(row.quote_created ?? 0),
            type: row.quote_type,
            contentJson: row.quote_content,
            attachmentId: row.quote_attachment_id,
          },
  }));
}
