// Requests per account and minute of the sandbox clock, behind a port: the http layer counts each
// request of a limited API through it (http/plugins/rate-limit.ts), and the sandbox's account
// overview reads how much of the messenger API's limit an account has used. The in-memory
// counter below serves one node; several would share one behind the same interface.
import type { Clock } from "../clock.ts";

const WINDOW_MS = 60_000;

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
  take(key: number): RateLimitTake;
  /** What `key` has used of the current window, counting nothing. */
  usage(key: number): RateLimitUse;
}

/** Fixed windows of one minute of the sandbox clock, counted in memory. */
export class InMemoryRateLimiter implements RateLimiter {
  readonly limit: number;
  readonly #clock: Clock;
  readonly #windows = new Map<number, { window: number; count: number }>();

  constructor(limit: number, clock: Clock) {
    this.limit = limit;
    this.#clock = clock;
  }

  take(key: number): RateLimitTake {
    const nowMs = this.#clock.nowMs();
    const window = Math.floor(nowMs / WINDOW_MS);
    const entry = this.#windows.get(key);
    const current = entry?.window === window ? entry : { window, count: 0 };
    current.count += 1;
    this.#windows.set(key, current);
    const retryAfterSeconds = Math.ceil(((window + 1) * WINDOW_MS - nowMs) / 1000);
    const remaining = Math.max(0, this.limit - current.count);
    return { allowed: current.count <= this.limit, remaining, retryAfterSeconds };
  }

  usage(key: number): RateLimitUse {
    const window = Math.floor(this.#clock.nowMs() / WINDOW_MS);
    const entry = this.#windows.get(key);
    return {
      limit: this.limit,
      used: entry?.window === window ? entry.count : 0,
      resets: ((window + 1) * WINDOW_MS) / 1000,
    };
  }
}
