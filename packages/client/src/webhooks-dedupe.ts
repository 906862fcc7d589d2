// Remembers which events were handled, in bounded memory. Avito retries a delivery until it sees a
// 200 (and a 200 lost on the way looks the same), so receivers get the same message more than
// once; what was seen longest ago is forgotten first, since retries come soon after the original.

/** What the receivers need of a deduper; a shared one (Redis, SQL) may answer asynchronously. */
export interface DeduperLike {
  /** True if `key` was seen before; otherwise records it and answers false. */
  seen(key: string): boolean | Promise<boolean>;
  /** Lets `key` through again (its handling failed). */
  forget?(key: string): void | Promise<void>;
}

export interface Deduper extends DeduperLike {
  seen(key: string): boolean;
  forget(key: string): void;
  /** Keys remembered now (at most `max`). */
  readonly size: number;
}

export interface DeduperOptions {
  /** Keys remembered at most; default 10,000. */
  max?: number;
}

export function createDeduper({ max = 10_000 }: DeduperOptions = {}): Deduper {
  if (!Number.isInteger(max) || max < 1) throw new RangeError("max must be an integer ≥ 1");
  // A Map keeps insertion order: re-inserting a key on a hit makes it the newest, and the
  // first key is always the least recently seen (an LRU without a linked list).
  const keys = new Map<string, true>();
  return {
    seen(key) {
      if (keys.has(key)) {
        keys.delete(key);
        keys.set(key, true);
        return true;
      }
      keys.set(key, true);
      if (keys.size > max) {
        const oldest = keys.keys().next();
        if (!oldest.done) keys.delete(oldest.value);
      }
      return false;
    },
    forget(key) {
      keys.delete(key);
    },
    get size() {
      return keys.size;
    },
  };
}
