// In-memory copies of facts that never change once written: an access token's grant (its account,
// scopes and expiry) and a chat's identity and members. Every messenger request needs them; kept
// here, each is read from the store once rather than on every request. Only immutable facts go in,
// so nothing here is ever invalidated, on one node or on several. Each cache holds a bounded
// number of entries and drops the oldest first.
import type { ChatType } from "../store/records.ts";

export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  set(key: K, value: V): void {
    if (this.#entries.size >= this.#capacity && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }
}

/** What an access token grants; its expiry is checked against the clock on every use. */
export interface AccessGrant {
  userId: number;
  scopes: readonly string[] | null;
  expiresAt: number | null;
}

/** The parts of a chat that never change: not its newest activity, counters or read marks. */
export interface ChatIdentity {
  id: string;
  type: ChatType;
  itemId: number | null;
}

export interface ChatParties {
  chat: ChatIdentity;
  participants: readonly number[];
}

export interface ImmutableCaches {
  /** By the token as sent (so that a hit costs no hashing). */
  accessGrants: BoundedCache<string, AccessGrant>;
  chatParties: BoundedCache<string, ChatParties>;
}

export function immutableCaches(): ImmutableCaches {
  return {
    accessGrants: new BoundedCache(10_000),
    chatParties: new BoundedCache(10_000),
  };
}
