// What getChatsV2 and getChatByIdV2 show, read in one statement: the page of the account's chats
// (or the one chat), each with its members' accounts, its item and its newest message, one row
// per member. One round trip per page on PostgreSQL, where five in a row cost more than the rows.
// The statement is compiled once per shape of filter (how many chat types and item ids), not on
// every request; the newest message's content comes as the JSON text it is stored as.
import type { QueryCreator } from "kysely";
import { precompiled } from "../precompiled.ts";
import { num } from "../records.ts";
import type { ChatType, Database } from "../schema.ts";
import type { Db } from "../store.ts";

export interface ChatPageFilter {
  userId: number;
  chatTypes: readonly ChatType[];
  itemIds: readonly number[] | null;
  unreadOnly: boolean;
  limit: number;
  offset: number;
}

/** One member of one chat of the page, with what the chat shows. */
export interface ChatPageRow {
  chatId: string;
  created: number;
  updated: number;
  /** The member's account; null if its row is gone (the chat then shows the others). */
  user: { id: number; name: string; profileKey: string } | null;
  item: {
    id: number;
    ownerId: number;
    title: string;
    priceString: string | null;
    statusId: number;
  } | null;
  lastMessage: {
    id: string;
    authorId: number;
    created: number;
    type: string;
    /** Stored JSON text, as JSON.stringify wrote it. */
    contentJson: string;
    attachmentId: string | null;
  } | null;
}

type Page = QueryCreator<Database & { page: { chat_id: string; updated: number } }>;

/** The chats of `page` joined with what they show, in the page's order. */
function chatsOfPage(db: Page) {
  return db
    .selectFrom("page")
    .innerJoin("chat", "chat.id", "page.chat_id")
    .innerJoin("chat_member as member", "member.chat_id", "page.chat_id")
    .leftJoin("account", "account.id", "member.user_id")
    .leftJoin("item", "item.id", "chat.item_id")
    .leftJoin("message", "message.id", "chat.last_message_id")
    .select([
      "chat.id as chat_id",
      "chat.created as chat_created",
      "chat.updated as chat_updated",
      "account.id as user_id",
      "account.name as user_name",
      "account.profile_key as user_profile_key",
      "item.id as item_id",
      "item.owner_id as item_owner_id",
      "item.title as item_title",
      "item.price_string as item_price_string",
      "item.status_id as item_status_id",
      "message.id as message_id",
      "message.author_id as message_author_id",
      "message.created as message_created",
      "message.type as message_type",
      "message.content as message_content",
      "message.attachment_id as message_attachment_id",
    ])
    .orderBy("page.updated", "desc")
    .orderBy("page.chat_id", "desc")
    .orderBy("member.user_id");
}

type Row = Awaited<ReturnType<ReturnType<typeof chatsOfPage>["execute"]>>[number];

function toPageRow(row: Row): ChatPageRow {
  return {
    chatId: row.chat_id,
    created: num(row.chat_created),
    updated: num(row.chat_updated),
    user:
      row.user_id === null || row.user_name === null || row.user_profile_key === null
        ? null
        : { id: num(row.user_id), name: row.user_name, profileKey: row.user_profile_key },
    item:
      row.item_id === null || row.item_owner_id === null || row.item_title === null
        ? null
        : {
            id: num(row.item_id),
            ownerId: num(row.item_owner_id),
            title: row.item_title,
            priceString: row.item_price_string,
            statusId: num(row.item_status_id ?? 0),
          },
    lastMessage:
      row.message_id === null ||
      row.message_author_id === null ||
      row.message_type === null ||
      row.message_content === null
        ? null
        : {
            id: row.message_id,
            authorId: num(row.message_author_id),
            created: num(row.message_created ?? 0),
            type: row.message_type,
            contentJson: row.message_content,
            attachmentId: row.message_attachment_id,
          },
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

/** The page of the account's chats, newest activity first: one row per member of each. */
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

/** The chat, if the account takes part in it: one row per member; none otherwise. */
export async function readChatOf(db: Db, userId: number, chatId: string): Promise<ChatPageRow[]> {
  const { rows } = await chatStatement(db, { userId, chatId });
  return rows.map(toPageRow);
}
