// The client-side request budget: a token bucket every request (retries and token calls
// included) takes from before it goes out, plus a pause that the server's hints set for everyone
// at once (a 429's Retry-After, `X-RateLimit-Remaining: 0`). It keeps one client under the
// server's per-minute limit, so a storm is waited out instead of being made worse. It knows
// nothing of HTTP beyond those headers.
import type { Clock } from "./clock.ts";

export interface BudgetOptions {
  /** Requests a minute this client allows itself. Default 300. */
  requestsPerMinute?: number;
  /** Requests that may go at once after a quiet spell. Default 10. */
  burst?: number;
}

const DEFAULT_REQUESTS_PER_MINUTE = 300;
const DEFAULT_BURST = 10;
const MINUTE_MS = 60_000;

export class RequestBudget {
  readonly #clock: Clock;
  readonly #configuredPerMinute: number;
  readonly #burst: number;
  #perMinute: number;
  #tokens: number;
  #updatedAt: number;
  #pausedUntil = 0;

  constructor(options: BudgetOptions, clock: Clock) {
    this.#clock = clock;
    this.#configuredPerMinute = positive(options.requestsPerMinute, DEFAULT_REQUESTS_PER_MINUTE);
    this.#burst = Math.max(1, Math.floor(positive(options.burst, DEFAULT_BURST)));
    this.#perMinute = this.#configuredPerMinute;
    this.#tokens = this.#burst;
    this.#updatedAt = clock.now();
  }

  /** Requests a minute currently allowed (lowered when the server declares a smaller limit). */
  get requestsPerMinute(): number {
    return this.#perMinute;
  }

  get burst(): number {
    return this.#burst;
  }

  /** Until when (epoch ms) every request waits because of the server's hints; 0 when none. */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  #refill(now: number): void {
    const perMs = this.#perMinute / MINUTE_MS;
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * perMs);
    this.#updatedAt = now;
  }

  /**
   * Waits for this request's turn. A turn is reserved at once (the bucket may go below zero), so
   * many waiters are spread out at the budget's rate instead of all waking together.
   */
  async take(signal?: AbortSignal): Promise<void> {
    const now = this.#clock.now();
    this.#refill(now);
    this.#tokens -= 1;
    const bucketWait = this.#tokens >= 0 ? 0 : (-this.#tokens * MINUTE_MS) / this.#perMinute;
    let readyAt = now + bucketWait;
    // A pause set while this request slept (another call got a 429) holds it too.
    for (;;) {
      const wakeAt = Math.max(readyAt, this.#pausedUntil);
      const wait = wakeAt - this.#clock.now();
      if (wait <= 0) return;
      await this.#clock.sleep(wait, signal);
      readyAt = wakeAt;
    }
  }

  /** Holds every request for `ms` from now (never shortens a longer pause). */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }

  /**
   * Learns from an answer's rate-limit headers: a declared limit below the budget lowers it (to
   * what fits with the burst inside one minute), and `Remaining: 0` holds every request until the
   * server's minute is over (the boundary by its `Date` header, else ours).
   */
  observe(headers: Headers): void {
    const limit = Number(headers.get("x-ratelimit-limit") ?? Number.NaN);
    if (Number.isFinite(limit) && limit > 0) {
      const fits = Math.max(1, limit - this.#burst);
      this.#perMinute = Math.min(this.#configuredPerMinute, fits);
    }
    const remaining = headers.get("x-ratelimit-remaining");
    if (remaining !== null && Number(remaining) <= 0 && !headers.has("retry-after")) {
      const serverNow = Date.parse(headers.get("date") ?? "");
      const now = Number.isNaN(serverNow) ? this.#clock.now() : serverNow;
      this.pause(MINUTE_MS - (now % MINUTE_MS));
    }
  }
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
