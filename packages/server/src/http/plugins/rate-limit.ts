// Requests per account and minute of the sandbox clock. Every authenticated messenger response
// carries X-RateLimit-Limit and X-RateLimit-Remaining; past the limit the answer is 429 with
// Retry-After (seconds to the next minute) in the error envelope. Counts live in memory: one node.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Clock } from "../../clock.ts";
import { BesedaError } from "../../errors/beseda-error.ts";
import { principalOf } from "./bearer-auth.ts";

const WINDOW_MS = 60_000;

export class RateLimiter {
  readonly #limit: number;
  readonly #clock: Clock;
  readonly #windows = new Map<number, { window: number; count: number }>();

  constructor(limit: number, clock: Clock) {
    this.#limit = limit;
    this.#clock = clock;
  }

  /** Counts one request of `key`; tells what is left and when the window ends. */
  take(key: number): { allowed: boolean; remaining: number; retryAfterSeconds: number } {
    const nowMs = this.#clock.nowMs();
    const window = Math.floor(nowMs / WINDOW_MS);
    const entry = this.#windows.get(key);
    const current = entry?.window === window ? entry : { window, count: 0 };
    current.count += 1;
    this.#windows.set(key, current);
    const retryAfterSeconds = Math.ceil(((window + 1) * WINDOW_MS - nowMs) / 1000);
    const remaining = Math.max(0, this.#limit - current.count);
    return { allowed: current.count <= this.#limit, remaining, retryAfterSeconds };
  }
}

export const rateLimit = fp(
  async (app: FastifyInstance, options: { limit: number; clock: Clock }) => {
    const limiter = new RateLimiter(options.limit, options.clock);
    // After bearer-auth's onRequest hook: the account is known.
    app.addHook("onRequest", async (request, reply) => {
      const { allowed, remaining, retryAfterSeconds } = limiter.take(principalOf(request).userId);
      reply.header("X-RateLimit-Limit", String(options.limit));
      reply.header("X-RateLimit-Remaining", String(remaining));
      if (!allowed) {
        throw new BesedaError("rate_limited", {
          headers: { "Retry-After": String(retryAfterSeconds) },
        });
      }
    });
  },
  { name: "rate-limit", dependencies: ["bearer-auth"] },
);
