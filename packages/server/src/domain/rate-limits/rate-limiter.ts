// Requests per account and minute of the sandbox clock, behind a port: the http layer counts each
// request of a limited API through it (http/plugins/rate-limit.ts), and the sandbox's account
// overview reads how much of the messenger API's limit an account has used. Two backends, chosen
// by the store (server.ts): one node on SQLite counts in memory; several nodes on one PostgreSQL
// count in the database (store-rate-limiter.ts), so that an account's requests through any node
// draw on one budget.
import type { Clock } from "../../clock.ts";

export const WINDOW_MS = 60_000;

export interface RateLimitTake {
  allowed: boolean;
  remaining: number;
  /** Seconds to the end of the window. */
  retryAfterSeconds: number;
}

/** An account's use of a limit in the current window. */
export interface RateLimitUse {
  limit: number;
  /** Requests counted in the window, those refused with 429 included: may exceed the limit. */
  used: number;
  /** When the window ends and the count starts again: unix seconds of the sandbox clock. */
  resets: number;
}

export interface RateLimiter {
  readonly limit: number;
  /** Counts one request of `key`; tells what is left and when the window ends. */
  take(key: number): Promise<RateLimitTake>;
  /** What `key` has used of the current window, counting nothing. */
  usage(key: number): Promise<RateLimitUse>;
  /** The same for many keys at once (the sandbox's overview of every account), in their order. */
  usages(keys: readonly number[]): Promise<RateLimitUse[]>;
  /** Writes what is counted but not yet kept (the server stops). */
  flush(): Promise<void>;
}

/** The fixed window of one minute that `nowMs` falls in. */
export function windowOf(nowMs: number): number {
  return Math.floor(nowMs / WINDOW_MS);
}

export function taken(limit: number, count: number, window: number, nowMs: number): RateLimitTake {
  return {
    allowed: count <= limit,
    remaining: Math.max(0, limit - count),
    retryAfterSeconds: Math.ceil(((window + 1) * WINDOW_MS - nowMs) / 1000),
  };
}

export function used(limit: number, count: number, window: number): RateLimitUse {
  return { limit, used: count, resets: ((window + 1) * WINDOW_MS) / 1000 };
}

/** Fixed windows of one minute of the sandbox clock, counted in memory: one node. */
export class InMemoryRateLimiter implements RateLimiter {
  readonly limit: number;
  readonly #clock: Clock;
  readonly #windows = new Map<number, { window: number; count: number }>();

  constructor(limit: number, clock: Clock) {
    this.limit = limit;
    this.#clock = clock;
  }

  async take(key: number): Promise<RateLimitTake> {
    const nowMs = this.#clock.nowMs();
    const window = windowOf(nowMs);
    const entry = this.#windows.get(key);
    const current = entry?.window === window ? entry : { window, count: 0 };
    current.count += 1;
    this.#windows.set(key, current);
    return taken(this.limit, current.count, window, nowMs);
  }

  async usage(key: number): Promise<RateLimitUse> {
    return this.#usageNow(key, windowOf(this.#clock.nowMs()));
  }

  async usages(keys: readonly number[]): Promise<RateLimitUse[]> {
    const window = windowOf(this.#clock.nowMs());
    return keys.map((key) => this.#usageNow(key, window));
  }

  async flush(): Promise<void> {}

  #usageNow(key: number, window: number): RateLimitUse {
    const entry = this.#windows.get(key);
    return used(this.limit, entry?.window === window ? entry.count : 0, window);
  }
}
