// getItemsInfo and getItemInfo (Avito's items API, /core/v1): the account's items with their
// status, price, link, address and category, as CRMs show what a chat is about. Beseda stores
// production's chat-context status_id (10 active, 20 deleted): the items API names them "active"
// and "removed"; sandbox items are never "old", "blocked" or "rejected", so filtering by those
// finds nothing.
import type { Item } from "../../store/records.ts";
import { findItem, findOwnedItems } from "../../store/repositories/items.ts";
import { ITEM_STATUS_ACTIVE, ITEM_STATUSES } from "../accounts.ts";
import type { DomainContext } from "../context.ts";

export const ITEM_STATUS_NAMES = ["active", "removed", "old", "blocked", "rejected"] as const;
export type ItemStatusName = (typeof ITEM_STATUS_NAMES)[number];

/** The status_id each name stands for; the names without one match no sandbox item. */
const STATUS_IDS: Partial<Record<ItemStatusName, number>> = {
  active: ITEM_STATUS_ACTIVE,
  removed: ITEM_STATUSES[1],
};

function statusName(statusId: number): ItemStatusName {
  return statusId === STATUS_IDS.removed ? "removed" : "active";
}

export interface ItemResource {
  id: number;
  title: string;
  price: number | null;
  status: ItemStatusName;
  url: string;
  address: string;
  category: { id: number; name: string };
}

export interface ItemsPage {
  meta: { page: number; per_page: number };
  resources: ItemResource[];
}

export interface ItemsQuery {
  perPage: number;
  page: number;
  statuses: readonly ItemStatusName[];
  /** "YYYY-MM-DD": items updated (in the sandbox: created) on or after that day, UTC. */
  updatedAtFrom: string | null;
  categoryId: number | null;
}

/**
 * The price as a number, from the price string the chat context shows: its first group of digits
 * ("12 500 ₽" → 12500, "от 1 000 ₽" → 1000); null when it names none ("Договорная", or none set),
 * which is how the document says "no price".
 */
export function priceOf(priceString: string | null): number | null {
  const match = /\d[\d \u00a0\u202f]*/.exec(priceString ?? "");
  if (!match) return null;
  const price = Number(match[0].replace(/\D/g, ""));
  return Number.isSafeInteger(price) ? price : null;
}

function dayStart(date: string): number {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) / 1000;
}

function resourceOf(ctx: DomainContext, item: Item): ItemResource {
  return {
    id: item.id,
    title: item.title,
    price: priceOf(item.priceString),
    status: statusName(item.statusId),
    url: ctx.urls.item(item.id),
    address: item.address ?? "",
    category: item.category ?? { id: 0, name: "" },
  };
}

export async function listOwnItems(
  ctx: DomainContext,
  userId: number,
  query: ItemsQuery,
): Promise<ItemsPage> {
  const statusIds = query.statuses.flatMap((s) => STATUS_IDS[s] ?? []);
  const items = await findOwnedItems(ctx.store.db, userId, {
    statusIds: [...new Set(statusIds)],
    createdFrom: query.updatedAtFrom === null ? null : dayStart(query.updatedAtFrom),
    categoryId: query.categoryId,
    limit: query.perPage,
    offset: (query.page - 1) * query.perPage,
  });
  return {
    meta: { page: query.page, per_page: query.perPage },
    resources: items.map((item) => resourceOf(ctx, item)),
  };
}

export interface ItemInfo {
  status: ItemStatusName | "not_found" | "another_user";
  url: string | null;
  start_time: string | null;
  finish_time: string | null;
  autoload_item_id: string | null;
  vas: never[] | null;
}

function rfc3339(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * One item of the account. Another account's item and an unknown one answer 200 with the status
 * the document has for them ("another_user", "not_found") and nothing else about the item.
 */
export async function itemInfo(
  ctx: DomainContext,
  userId: number,
  itemId: number,
): Promise<ItemInfo> {
  const item = await findItem(ctx.store.db, itemId);
  if (!item || item.ownerId !== userId) {
    return {
      status: item ? "another_user" : "not_found",
      url: null,
      start_time: null,
      finish_time: null,
      autoload_item_id: null,
      vas: null,
    };
  }
  return {
    status: statusName(item.statusId),
    url: ctx.urls.item(item.id),
    start_time: rfc3339(item.created),
    // Sandbox items do not expire, have no autoload file and no paid services.
    finish_time: null,
    autoload_item_id: null,
    vas: [],
  };
}
