// In-memory copies of facts that never change once written: an access token's grant (its account,
// scopes and expiry) and a chat's identity and members. Every messenger request needs them; kept
// here, each is read from the store once rather than on every request. Only immutable facts go in,
// so nothing here is ever invalidated, on one node or on several, except when the sandbox empties
// or replaces the whole world (reset, import): then every cache is cleared; and when a sandbox
// fault expires an account's tokens now: its grants are dropped. Each cache holds a bounded
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

  /** Only when the store is emptied or replaced (a sandbox reset or import): facts of the old world. */
  clear(): void {
    this.#entries.clear();
  }

  set(key: K, value: V): void {
    if (this.#entries.size >= this.#capacity && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }

  /**
   * Drops the entries whose value passes `test`. Only for the sandbox's token faults, which change
   * what was taken for a fixed fact (an access token's expiry); on several nodes the others drop
   * all their copies (domain/cluster/cluster-sync.ts).
   */
  deleteWhere(test: (value: V) => boolean): void {
    for (const [key, value] of this.#entries) if (test(value)) this.#entries.delete(key);
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
