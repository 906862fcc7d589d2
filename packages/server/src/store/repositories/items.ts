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
    address: row.address,
    category:
      row.category_id === null ? null : { id: num(row.category_id), name: row.category_name ?? "" },
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
    address: item.address,
    category_id: item.category?.id ?? null,
    category_name: item.category?.name ?? null,
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

export interface OwnedItemsFilter {
  statusIds: readonly number[];
  /** Items created at or after this unix time; null: any. */
  createdFrom: number | null;
  categoryId: number | null;
  limit: number;
  offset: number;
}

/** One page of an owner's items, newest first (getItemsInfo). */
export async function findOwnedItems(
  db: Db,
  ownerId: number,
  filter: OwnedItemsFilter,
): Promise<Item[]> {
  if (filter.statusIds.length === 0) return [];
  let query = db
    .selectFrom("item")
    .selectAll()
    .where("owner_id", "=", ownerId)
    .where("status_id", "in", filter.statusIds);
  if (filter.createdFrom !== null) query = query.where("created", ">=", filter.createdFrom);
  if (filter.categoryId !== null) query = query.where("category_id", "=", filter.categoryId);
  const rows = await query
    .orderBy("created", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return rows.map(toItem);
}

/** Every item, by id: the sandbox's export. */
export async function allItems(db: Db): Promise<Item[]> {
  const rows = await db.selectFrom("item").selectAll().orderBy("id").execute();
  return rows.map(toItem);
}
