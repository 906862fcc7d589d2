// Items (Avito listings) that u2i chats are about.
import type { Insertable, Selectable } from "kysely";
import { type Item, num } from "../records.ts";
import type { ItemTable } from "../schema.ts";
import type { Db } from "../store.ts";

function toItem(row: Selectable<ItemTable>): Item {
  return {
    id: num(row.id),
    ownerId: num(row.owner_id),
    title: row.title,
    priceString: row.price_string,
    statusId: row.status_id,
    created: num(row.created),
  };
}

/** The row of an item: the inverse of toItem, for single and bulk inserts alike. */
export function itemRow(item: Item): Insertable<ItemTable> {
  return {
    id: item.id,
    owner_id: item.ownerId,
    title: item.title,
    price_string: item.priceString,
    status_id: item.statusId,
    created: item.created,
  };
}

export async function insertItem(db: Db, item: Item): Promise<void> {
  await db.insertInto("item").values(itemRow(item)).execute();
}

export async function findItem(db: Db, id: number): Promise<Item | undefined> {
  const row = await db.selectFrom("item").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toItem(row);
}

export async function findItems(db: Db, ids: readonly number[]): Promise<Item[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("item").selectAll().where("id", "in", ids).execute();
  return rows.map(toItem);
}
