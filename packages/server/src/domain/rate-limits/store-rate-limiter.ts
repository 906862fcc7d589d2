// The fixed windows of rate-limiter.ts, counted in the store: every node on one database counts
// into one row per limiter, key and minute (the sandbox clock's minute, the same on every node).
//
// Writing that row on every request made it the main cost of a read on PostgreSQL: one more
// round trip, and every request of a busy account queued on one row's lock. So a node counts in
// memory while an account is far from its limit and adds its counts to the row every FLUSH_MS, in
// one statement for all accounts; near the limit (within MARGIN of it) each request is written at
// once and decided on the row's count, so that the 429 comes exactly at the limit. Far from it,
// what other nodes counted in their last FLUSH_MS is not seen yet: X-RateLimit-Remaining may be
// a little high there, and an account sending more than MARGIN requests in FLUSH_MS through
// several nodes can pass the limit by what they had not written yet.
import type { Clock } from "../../clock.ts";
import {
  countInMinute,
  countManyIn,
  countRequestsIn,
  countsInMinute,
  deleteOtherMinutes,
} from "../../store/repositories/rate-limits.ts";
import type { Store } from "../../store/store.ts";
import {
  type RateLimiter,
  type RateLimitTake,
  type RateLimitUse,
  taken,
  used,
  windowOf,
} from "./rate-limiter.ts";

/** How long counts wait in memory before they are added to the store. */
const FLUSH_MS = 200;

/** How close to the limit every request is written at once: a tenth of it, at least 100. */
function marginOf(limit: number): number {
  return Math.max(100, Math.ceil(limit / 10));
}

/** One account's count in the current minute, as this node knows it. */
interface KeyCount {
  minute: number;
  /** The store's count when this node last wrote to it (every node's requests until then). */
  stored: number;
  /** This node's requests since, not yet written. */
  unwritten: number;
}

export class StoreRateLimiter implements RateLimiter {
  readonly limit: number;
  readonly #store: Store;
  readonly #clock: Clock;
  /** Which limit this is, so that several limiters share the table without sharing counts. */
  readonly #name: string;
  readonly #margin: number;
  readonly #onError: (error: unknown) => void;
  readonly #counts = new Map<number, KeyCount>();
  /** The minute whose other minutes' rows this node last deleted. */
  #cleanedMinute: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | null = null;

  constructor(
    store: Store,
    name: string,
    limit: number,
    clock: Clock,
    onError: (error: unknown) => void,
  ) {
    this.#store = store;
    this.#name = name;
    this.limit = limit;
    this.#clock = clock;
    this.#margin = marginOf(limit);
    this.#onError = onError;
  }

  async take(key: number): Promise<RateLimitTake> {
    const nowMs = this.#clock.nowMs();
    const minute = windowOf(nowMs);
    let entry = this.#counts.get(key);
    if (entry?.minute !== minute) {
      // Counts of another minute no longer limit anything: dropped unwritten.
      entry = { minute, stored: 0, unwritten: 0 };
      this.#counts.set(key, entry);
    }
    const estimate = entry.stored + entry.unwritten + 1;
    if (estimate <= this.limit - this.#margin) {
      entry.unwritten += 1;
      this.#scheduleFlush();
      return taken(this.limit, estimate, minute, nowMs);
    }
    // Near the limit: this request and those waiting are written now, and the row decides.
    const adding = entry.unwritten + 1;
    entry.unwritten = 0;
    let count: number;
    try {
      await this.#cleanOtherMinutes(minute);
      count = await countRequestsIn(this.#store.db, { limiter: this.#name, key, minute }, adding);
    } catch (error) {
      // This request fails with the store; the ones before it stay counted here.
      entry.unwritten += adding - 1;
      throw error;
    }
    entry.stored = Math.max(entry.stored, count);
    return taken(this.limit, count, minute, nowMs);
  }

  async usage(key: number): Promise<RateLimitUse> {
    await this.flush();
    const minute = windowOf(this.#clock.nowMs());
    const count = await countInMinute(this.#store.db, { limiter: this.#name, key, minute });
    return used(this.limit, count, minute);
  }

  async usages(keys: readonly number[]): Promise<RateLimitUse[]> {
    await this.flush();
    const minute = windowOf(this.#clock.nowMs());
    const counts = await countsInMinute(this.#store.db, this.#name, minute);
    return keys.map((key) => used(this.limit, counts.get(key) ?? 0, minute));
  }

  /** Adds every unwritten count of the current minute to the store (one flush at a time). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#flushing) await this.#flushing;
    this.#flushing = this.#write().finally(() => {
      this.#flushing = null;
    });
    await this.#flushing;
  }

  #scheduleFlush(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch(this.#onError);
    }, FLUSH_MS);
    this.#timer.unref();
  }

  async #write(): Promise<void> {
    const minute = windowOf(this.#clock.nowMs());
    const written = new Map<number, number>();
    for (const [key, entry] of this.#counts) {
      if (entry.minute !== minute) this.#counts.delete(key);
      else if (entry.unwritten > 0) {
        written.set(key, entry.unwritten);
        entry.unwritten = 0;
      }
    }
    if (written.size === 0) return;
    try {
      await this.#cleanOtherMinutes(minute);
      const counts = await countManyIn(this.#store.db, this.#name, minute, written);
      for (const [key, count] of counts) {
        const entry = this.#counts.get(key);
        if (entry?.minute === minute) entry.stored = Math.max(entry.stored, count);
      }
    } catch (error) {
      // Kept for the next flush: the store may be back by then.
      for (const [key, count] of written) {
        const entry = this.#counts.get(key);
        if (entry?.minute === minute) entry.unwritten += count;
      }
      this.#scheduleFlush();
      throw error;
    }
  }

  /** A node's first write of a minute deletes the limiter's rows of other minutes. */
  async #cleanOtherMinutes(minute: number): Promise<void> {
    if (this.#cleanedMinute === minute) return;
    await deleteOtherMinutes(this.#store.db, this.#name, minute);
    this.#cleanedMinute = minute;
  }
}
