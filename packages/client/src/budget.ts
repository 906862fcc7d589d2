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
  readonly #configuredBurst: number;
  #burst: number;
  #perMinute: number;
  #tokens: number;
  #updatedAt: number;
  #pausedUntil = 0;

  constructor(options: BudgetOptions, clock: Clock) {
    this.#clock = clock;
    this.#configuredPerMinute = positive(options.requestsPerMinute, DEFAULT_REQUESTS_PER_MINUTE);
    this.#configuredBurst = Math.max(1, Math.floor(positive(options.burst, DEFAULT_BURST)));
    this.#burst = this.#configuredBurst;
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

  /** Fits the burst and the rate under a limit the server declared (see `fitted`). */
  #fit(limit: number): void {
    const now = this.#clock.now();
    this.#refill(now);
    const { burst, rate } = fitted(limit, this.#configuredBurst, this.#configuredPerMinute);
    this.#burst = burst;
    this.#perMinute = rate;
    // A bucket fuller than the new burst would let more than the limit through.
    this.#tokens = Math.min(this.#tokens, burst);
  }

  /** Holds every request for `ms` from now (never shortens a longer pause). */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }

  /**
   * Learns from an answer's rate-limit headers: a declared limit below the budget lowers it, and
   * `Remaining: 0` holds every request until the server's minute is over (the boundary by its
   * `Date` header, else ours).
   */
  observe(headers: Headers): void {
    const limit = Number(headers.get("x-ratelimit-limit") ?? Number.NaN);
    if (Number.isFinite(limit) && limit > 0) this.#fit(Math.floor(limit) || 1);
    const remaining = headers.get("x-ratelimit-remaining");
    if (remaining !== null && Number(remaining) <= 0 && !headers.has("retry-after")) {
      const serverNow = Date.parse(headers.get("date") ?? "");
      const now = Number.isNaN(serverNow) ? this.#clock.now() : serverNow;
      this.pause(MINUTE_MS - (now % MINUTE_MS));
    }
  }
}

/**
 * Any minute of a bucket holds at most burst + rate requests (a full bucket, then its refill),
 * so both are fitted under the server's limit: the rate takes what the burst leaves, and a limit
 * no bigger than the burst halves the burst so that a rate is left at all (limit 1: one request,
 * then one every two minutes).
 */
function fitted(limit: number, burst: number, perMinute: number): { burst: number; rate: number } {
  const fittedBurst = limit <= burst ? Math.ceil(limit / 2) : burst;
  const rate = Math.min(perMinute, Math.max(limit - fittedBurst, 0.5));
  return { burst: fittedBurst, rate };
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
