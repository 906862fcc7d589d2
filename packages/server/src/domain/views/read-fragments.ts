// Parts of the reads' answers kept encoded as JSON (views/json-bytes.ts): a user's public profile
// with its nine avatar URLs, an item's context, an image message's size URLs. Accounts and items
// are never changed once written (only a sandbox reset or import replaces them, with the whole
// world), so, like the caches of immutable-cache.ts, these are rendered once, kept by id, and let
// go of with the old world (replace-world.ts; on several nodes, when another node replaced it).
// The URLs are under the server's public base, fixed once it listens: a fragment made under
// another base is made again. Bounded: the oldest entries go first.
import type { Account, Item } from "../../store/records.ts";
import { BoundedCache } from "../immutable-cache.ts";
import { imageSizeUrls, type PublicUrls } from "../public-urls.ts";
import { itemContext, userView } from "./chat-view.ts";

/** What a chat shows of its item: its context, and who sells it (that user's profile names it). */
export interface ItemFragment {
  ownerId: number;
  context: Buffer;
}

export class ReadFragments {
  readonly #urls: PublicUrls;
  #base: string;
  /**
   * By user id, and `id:item` for the profile of an item's seller (it names the item). A profile
   * is about a kilobyte: 20 MB at most.
   */
  readonly #users = new BoundedCache<string, Buffer>(20_000);
  readonly #items = new BoundedCache<number, ItemFragment>(20_000);
  readonly #images = new BoundedCache<string, Buffer>(10_000);

  constructor(urls: PublicUrls) {
    this.#urls = urls;
    this.#base = "";
  }

  /** The user's profile as a chat shows it, if kept. */
  user(userId: number, item: { id: number; ownerId: number } | undefined): Buffer | undefined {
    this.#checkBase();
    return this.#users.get(userKey(userId, item));
  }

  /** Renders and keeps the user's profile (for a chat of `item`, or none). */
  keepUser(
    user: Pick<Account, "id" | "name" | "profileKey">,
    item: { id: number; ownerId: number } | undefined,
  ): Buffer {
    this.#checkBase();
    const bytes = Buffer.from(JSON.stringify(userView(this.#urls, user, item)));
    this.#users.set(userKey(user.id, item), bytes);
    return bytes;
  }

  item(itemId: number): ItemFragment | undefined {
    this.#checkBase();
    return this.#items.get(itemId);
  }

  keepItem(
    item: Pick<Item, "id" | "ownerId" | "title" | "priceString" | "statusId">,
  ): ItemFragment {
    this.#checkBase();
    const fragment = {
      ownerId: item.ownerId,
      context: Buffer.from(JSON.stringify(itemContext(this.#urls, item))),
    };
    this.#items.set(item.id, fragment);
    return fragment;
  }

  /** An image message's content: `{"image":{"sizes":{…}}}`. */
  image(imageId: string): Buffer {
    this.#checkBase();
    let bytes = this.#images.get(imageId);
    if (!bytes) {
      bytes = Buffer.from(JSON.stringify({ image: { sizes: imageSizeUrls(this.#urls, imageId) } }));
      this.#images.set(imageId, bytes);
    }
    return bytes;
  }

  /** The world was replaced: its accounts and items are gone. */
  clear(): void {
    this.#users.clear();
    this.#items.clear();
    this.#images.clear();
  }

  #checkBase(): void {
    const base = this.#urls.base;
    if (base === this.#base) return;
    this.clear();
    this.#base = base;
  }
}

function userKey(userId: number, item: { id: number; ownerId: number } | undefined): string {
  return item !== undefined && item.ownerId === userId ? `${userId}:${item.id}` : String(userId);
}
