// Parts of a chat that rarely change, kept encoded as JSON (a user's public profile with its nine
// avatar URLs, an item's context): rendered once and reused while they stay the same. Each entry
// keeps what it was rendered from, and a read that brings different values renders it again, so
// a cache is never stale, on one node or on many, and needs no invalidation: the rows are read
// on every request anyway, and only building and encoding the JSON is saved. Bounded: the oldest
// entries go first.
import { BoundedCache } from "../immutable-cache.ts";

interface Entry {
  source: string;
  bytes: Buffer;
}

export class FragmentCache {
  readonly #entries: BoundedCache<string, Entry>;

  constructor(capacity: number) {
    this.#entries = new BoundedCache(capacity);
  }

  /**
   * The fragment for `key`, rendered from values that `source` sums up (every value the fragment
   * shows, in one string): the kept one if its source is the same, else `render()`'s, kept.
   */
  get(key: string, source: string, render: () => string): Buffer {
    const entry = this.#entries.get(key);
    if (entry?.source === source) return entry.bytes;
    const bytes = Buffer.from(render());
    this.#entries.set(key, { source, bytes });
    return bytes;
  }

  clear(): void {
    this.#entries.clear();
  }
}
