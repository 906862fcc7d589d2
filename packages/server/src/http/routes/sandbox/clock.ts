// GET /sandbox/v1/clock → {"now","offset_seconds"}; POST /sandbox/v1/clock {"advance_seconds"}
// moves the one clock of the server forward (timestamps, token expiry, the delete window).
import type { FastifyInstance } from "fastify";
import type { SandboxClock } from "../../../clock.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { advanceClock, clockState } from "../../../domain/sandbox-clock.ts";

export function clock(app: FastifyInstance, ctx: DomainContext, sandboxClock: SandboxClock) {
  app.get("/clock", async () => clockState(sandboxClock));
  app.post<{ Body: { advance_seconds: number } }>("/clock", {
    schema: {
      body: {
        type: "object",
        properties: { advance_seconds: { type: "integer", minimum: 0, maximum: 10 * 365 * 86400 } },
        required: ["advance_seconds"],
      },
    },
    handler: async ({ body }) => advanceClock(ctx, sandboxClock, body.advance_seconds),
  });
}
