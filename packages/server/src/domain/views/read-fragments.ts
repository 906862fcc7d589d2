// The encoded fragments the reads reuse (views/fragments.ts): users' public profiles, items'
// contexts, images' size URLs. One set per server; sized for a busy marketplace's hot accounts
// (a fragment is about a kilobyte).
import { FragmentCache } from "./fragments.ts";

export interface ReadFragments {
  /** By user id and, for the seller of a u2i chat, the item (the profile then names it). */
  users: FragmentCache;
  /** By item id. */
  items: FragmentCache;
  /** An image message's content, by image id. */
  images: FragmentCache;
}

export function readFragments(): ReadFragments {
  return {
    users: new FragmentCache(20_000),
    items: new FragmentCache(20_000),
    images: new FragmentCache(10_000),
  };
}
