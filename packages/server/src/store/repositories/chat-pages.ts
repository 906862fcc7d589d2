// What getChatsV2 and getChatByIdV2 read of a chat that changes: the page of the account's chats
// (or the one chat), each with its times and its newest message, in one statement. Who takes part
// and the item never change, and come from the caches (domain/chats.ts). One round trip per page
// on PostgreSQL, where five in a row cost more than the rows. The statement is compiled once per
// shape of filter (how many chat types and item ids), not on every request; the newest message's
// content comes as the JSON text it is stored as.
import type { QueryCreator } from "kysely";
import { precompiled } from "../precompiled.ts";
import { num } from "../records.ts";
import type { ChatType, Database } from "../schema.ts";
import type { Db } from "../store.ts";
import { type MessageOnPage, messageOnPage } from "./message-pages.ts";

export interface ChatPageFilter {
  userId: number;
  chatTypes: readonly ChatType[];
  itemIds: readonly number[] | null;
  unreadOnly: boolean;
  limit: number;
  offset: number;
}

/** One chat of the page, with what it shows that changes. */
export interface ChatPageRow {
  chatId: string;
  created: number;
  updated: number;
  lastMessage: MessageOnPage | null;
}

type Page = QueryCreator<Database & { page: { chat_id: string; updated: number } }>;

/** The chats of `page` with their newest messages, in the page's order. */
function chatsOfPage(db: Page) {
  return db
    .selectFrom("page")
    .innerJoin("chat", "chat.id", "page.chat_id")
    .leftJoin("message", "message.id", "chat.last_message_id")
    .select([
      "chat.id as chat_id",
      "chat.created as chat_created",
      "chat.updated as chat_updated",
      "message.id as message_id",
      "message.author_id as message_author_id",
      "message.created as message_created",
      "message.type as message_type",
      "message.content as message_content",
      "message.attachment_id as message_attachment_id",
    ])
    .orderBy("page.updated", "desc")
    .orderBy("page.chat_id", "desc");
}

type Row = Awaited<ReturnType<ReturnType<typeof chatsOfPage>["execute"]>>[number];

function toPageRow(row: Row): ChatPageRow {
  return {
    chatId: row.chat_id,
    created: num(row.chat_created),
    updated: num(row.chat_updated),
    lastMessage: messageOnPage({
      id: row.message_id,
      authorId: row.message_author_id,
      created: row.message_created,
      type: row.message_type,
      content: row.message_content,
      attachmentId: row.message_attachment_id,
    }),
  };
}

/** The filter's shape: what the compiled statement depends on (its values are bound). */
function shapeOf(filter: ChatPageFilter): string {
  return `${filter.chatTypes.length}:${filter.itemIds?.length ?? "-"}:${filter.unreadOnly}`;
}

type PageStatement = ReturnType<typeof pageStatement>;

function pageStatement(filter: ChatPageFilter) {
  const types = filter.chatTypes.map((_, n) => `type${n}`);
  const items = filter.itemIds?.map((_, n) => `item${n}`) ?? null;
  return precompiled(["userId", "limit", "offset", ...types, ...(items ?? [])], (db, v) => {
    // The markers of names made here: typed as every marker is (never), whatever the index says.
    const marker = (name: string) => v[name] as never;
    return chatsOfPage(
      db.with("page", (qb) => {
        let page = qb
          .selectFrom("chat_member")
          .select(["chat_id", "updated"])
          .where("user_id", "=", marker("userId"))
          .where("chat_type", "in", types.map(marker));
        if (items) page = page.where("item_id", "in", items.map(marker));
        if (filter.unreadOnly) page = page.where("unread_count", ">", 0);
        return page
          .orderBy("updated", "desc")
          .orderBy("chat_id", "desc")
          .limit(marker("limit"))
          .offset(marker("offset"));
      }) as Page,
    );
  });
}

/** Compiled statements by shape; bounded, since item ids make shapes without end. */
const pageStatements = new Map<string, PageStatement>();
const MAX_SHAPES = 64;

/** The page of the account's chats, newest activity first. */
export async function readChatPage(db: Db, filter: ChatPageFilter): Promise<ChatPageRow[]> {
  const shape = shapeOf(filter);
  let statement = pageStatements.get(shape);
  if (!statement) {
    if (pageStatements.size >= MAX_SHAPES) pageStatements.clear();
    statement = pageStatement(filter);
    pageStatements.set(shape, statement);
  }
  const values: Record<string, unknown> = {
    userId: filter.userId,
    limit: filter.limit,
    offset: filter.offset,
  };
  filter.chatTypes.forEach((type, n) => {
    values[`type${n}`] = type;
  });
  filter.itemIds?.forEach((id, n) => {
    values[`item${n}`] = id;
  });
  const { rows } = await statement(db, values);
  return rows.map(toPageRow);
}

const chatStatement = precompiled(["userId", "chatId"], (db, v) =>
  chatsOfPage(
    db.with("page", (qb) =>
      qb
        .selectFrom("chat_member")
        .select(["chat_id", "updated"])
        .where("user_id", "=", v.userId)
        .where("chat_id", "=", v.chatId),
    ) as Page,
  ),
);

/** The chat, if the account takes part in it. */
export async function readChatOf(
  db: Db,
  userId: number,
  chatId: string,
): Promise<ChatPageRow | undefined> {
  const { rows } = await chatStatement(db, { userId, chatId });
  return rows[0] && toPageRow(rows[0]);
}
