// Requests per account and minute of the sandbox clock, counted by the route group's limiter
// (domain/rate-limits/). Every authenticated messenger response carries X-RateLimit-Limit and
// X-RateLimit-Remaining; past the limit the answer is 429 with Retry-After (seconds to the next
// minute) in the error envelope.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { RateLimiter } from "../../domain/rate-limits/rate-limiter.ts";
import { BesedaError } from "../../errors/beseda-error.ts";
import { principalOf } from "./bearer-auth.ts";

export const rateLimit = fp(
  async (app: FastifyInstance, options: { limiter: RateLimiter }) => {
    const { limiter } = options;
    // After bearer-auth's onRequest hook: the account is known.
    app.addHook("onRequest", async (request, reply) => {
      const { allowed, remaining, retryAfterSeconds } = await limiter.take(
        principalOf(request).userId,
      );
      reply.header("X-RateLimit-Limit", String(limiter.limit));
      reply.header("X-RateLimit-Remaining", String(remaining));
      if (!allowed) {
        throw new BesedaError("rate_limited", {
          headers: { "Retry-After": String(retryAfterSeconds) },
        });
      }
    });
    // Counts a node keeps in memory (several nodes on PostgreSQL) are written before it stops.
    app.addHook("onClose", () => limiter.flush());
  },
  { name: "rate-limit", dependencies: ["bearer-auth"] },
);
