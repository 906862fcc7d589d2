// Absolute URLs that responses carry (avatars, item pages and images, profiles). All point at this
// server, under BESEDA_PUBLIC_URL, so a link in a response always resolves.
import { IMAGE_SIZE_NAMES } from "./media/image-sizes.ts";

export const AVATAR_SIZES = [
  "24x24",
  "36x36",
  "48x48",
  "64x64",
  "72x72",
  "96x96",
  "128x128",
  "192x192",
  "256x256",
] as const;

/** Placeholder avatars come in this many colours, like production's numbered stub avatars. */
export const AVATAR_VARIANTS = 16;

export class PublicUrls {
  readonly #base: () => string;

  /** `base` is read on every call: with port 0 it is known only once the server listens. */
  constructor(base: () => string) {
    this.#base = base;
  }

  get base(): string {
    return this.#base();
  }

  avatar(userId: number, size: string): string {
    return `${this.base}/static/avatars/${userId % AVATAR_VARIANTS}_${size}.png`;
  }

  profile(profileKey: string): string {
    return `${this.base}/user/${profileKey}/profile`;
  }

  item(itemId: number): string {
    return `${this.base}/items/${itemId}`;
  }

  itemImage(itemId: number, size: string): string {
    return `${this.base}/static/items/${itemId}_${size}.png`;
  }
}

/** The URLs of an uploaded image's sizes: derived from its id, so messages store no URL. */
export function imageSizeUrls(urls: PublicUrls, imageId: string): Record<string, string> {
  return Object.fromEntries(
    IMAGE_SIZE_NAMES.map((size) => [size, `${urls.base}/media/images/${size}/${imageId}.jpg`]),
  );
}
