// Bulk insertion for the seed command: many rows of accounts, items, chats, chat members and
// messages in few large transactions of multi-row INSERTs. Portable Kysely; the database's own
// settings for a load are the store's (Store.withBulkLoad).
import type { Insertable } from "kysely";
import type { Account, Chat, Item, Message } from "./records.ts";
import { accountRow } from "./repositories/accounts.ts";
import { chatRow, type MemberOfChat, memberRow } from "./repositories/chats.ts";
import { itemRow } from "./repositories/items.ts";
import { messageRow } from "./repositories/messages.ts";
import type { Database } from "./schema.ts";
import type { Db, Store } from "./store.ts";

/** A member row together with the chat columns chat_member mirrors (see repositories/chats.ts). */
export type BulkMember = MemberOfChat;

/** Rows written in one transaction, parents before children (the foreign keys stay on). */
export interface BulkBatch {
  accounts?: readonly Account[];
  items?: readonly Item[];
  chats?: readonly Chat[];
  members?: readonly BulkMember[];
  messages?: readonly Message[];
}

/**
 * SQLite binds at most 32766 variables per statement (PostgreSQL 65535). Rows go in statements
 * of power-of-two sizes, so a load prepares a dozen distinct statements per table however its
 * batches are cut (the store caches prepared statements by their SQL text).
 */
const MAX_VARIABLES = 32766;
const MAX_ROWS_PER_STATEMENT = 1024;

function chunkSizes(total: number, columns: number): number[] {
  let largest = 1;
  while (largest * 2 <= Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_VARIABLES / columns))) {
    largest *= 2;
  }
  const sizes: number[] = [];
  let left = total;
  for (let size = largest; size >= 1 && left > 0; size /= 2) {
    while (left >= size) {
      sizes.push(size);
      left -= size;
    }
  }
  return sizes;
}

/** Inserts rows into one table in multi-row statements, inside the caller's transaction. */
export async function insertRows<T extends keyof Database>(
  db: Db,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  let at = 0;
  for (const size of chunkSizes(rows.length, Object.keys(first).length)) {
    const chunk = rows.slice(at, at + size);
    at += size;
    // Kysely's types cannot follow a table name given as a type parameter; the rows are typed above.
    await (db as Db)
      .insertInto(table)
      .values(chunk as never)
      .execute();
  }
}

/** Contents are shared objects more often than not (pools of texts): each is serialised once. */
function contentSerializer(): (content: object) => string {
  const cache = new WeakMap<object, string>();
  return (content) => {
    let text = cache.get(content);
    if (text === undefined) {
      text = JSON.stringify(content);
      cache.set(content, text);
    }
    return text;
  };
}

const serialize = contentSerializer();

/** Writes one batch in one transaction. */
export async function insertBulk(store: Store, batch: BulkBatch): Promise<void> {
  await store.transaction(async (db) => {
    await insertRows(db, "account", (batch.accounts ?? []).map(accountRow));
    await insertRows(db, "item", (batch.items ?? []).map(itemRow));
    await insertRows(db, "chat", (batch.chats ?? []).map(chatRow));
    await insertRows(db, "chat_member", (batch.members ?? []).map(memberRow));
    await insertRows(
      db,
      "message",
      (batch.messages ?? []).map((m) => messageRow(m, serialize)),
    );
  });
}
