// A chat as getChatsV2 and getChatByIdV2 show it to one participant: the item as context (u2i
// only), both users with their public profiles, and the newest message. The answers are written
// as encoded JSON (chat-json.ts); these are their shapes, and the parts that chat-json.ts keeps
// encoded are built here.
import type { Account, Item, JsonObject } from "../../store/records.ts";
import { AVATAR_SIZES, type PublicUrls } from "../public-urls.ts";

export interface UserView {
  id: number;
  name: string;
  public_user_profile: {
    user_id: number;
    item_id?: number;
    url: string;
    avatar: { default: string; images: Record<string, string> };
  };
}

export interface ItemContextView {
  type: "item";
  value: {
    id: number;
    title: string;
    price_string: string;
    status_id: number;
    url: string;
    user_id: number;
    images: { count: number; main: { "140x105": string } };
  };
}

export interface LastMessageView {
  id: string;
  author_id: number;
  created: number;
  content: JsonObject;
  type: string;
  direction: "in" | "out";
}

export interface ChatView {
  id: string;
  context?: ItemContextView;
  created: number;
  updated: number;
  users: UserView[];
  last_message?: LastMessageView;
}

export function userView(
  urls: PublicUrls,
  user: Pick<Account, "id" | "name" | "profileKey">,
  item: Pick<Item, "id" | "ownerId"> | undefined,
): UserView {
  const images = Object.fromEntries(AVATAR_SIZES.map((size) => [size, urls.avatar(user.id, size)]));
  const profile: UserView["public_user_profile"] = {
    user_id: user.id,
    url: urls.profile(user.profileKey),
    avatar: { default: urls.avatar(user.id, "256x256"), images },
  };
  if (item && item.ownerId === user.id) profile.item_id = item.id;
  return { id: user.id, name: user.name, public_user_profile: profile };
}

export function itemContext(
  urls: PublicUrls,
  item: Pick<Item, "id" | "ownerId" | "title" | "priceString" | "statusId">,
): ItemContextView {
  return {
    type: "item",
    value: {
      id: item.id,
      title: item.title,
      price_string: item.priceString ?? "",
      status_id: item.statusId,
      url: urls.item(item.id),
      user_id: item.ownerId,
      images: { count: 1, main: { "140x105": urls.itemImage(item.id, "140x105") } },
    },
  };
}
