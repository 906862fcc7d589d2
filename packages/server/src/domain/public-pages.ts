// What the public links in responses show: an item's page and a user's profile page. They exist so
// that every URL Beseda hands out resolves; they show only public data.
import { BesedaError } from "../errors/beseda-error.ts";
import { findAccount, findAccountByProfileKey } from "../store/repositories/accounts.ts";
import { findItem } from "../store/repositories/items.ts";
import type { DomainContext } from "./context.ts";

export interface PublicItem {
  id: number;
  title: string;
  priceString: string | null;
  sellerName: string;
  sellerProfileUrl: string;
  imageUrl: string;
}

export async function publicItem(ctx: DomainContext, itemId: number): Promise<PublicItem> {
  const item = await findItem(ctx.store.db, itemId);
  const seller = item && (await findAccount(ctx.store.db, item.ownerId));
  if (!item || !seller) throw new BesedaError("item_not_found");
  return {
    id: item.id,
    title: item.title,
    priceString: item.priceString,
    sellerName: seller.name,
    sellerProfileUrl: ctx.urls.profile(seller.profileKey),
    imageUrl: ctx.urls.itemImage(item.id, "140x105"),
  };
}

export async function publicProfile(
  ctx: DomainContext,
  profileKey: string,
): Promise<{ name: string; avatarUrl: string }> {
  const account = await findAccountByProfileKey(ctx.store.db, profileKey);
  if (!account) throw new BesedaError("user_not_found");
  return { name: account.name, avatarUrl: ctx.urls.avatar(account.id, "256x256") };
}
