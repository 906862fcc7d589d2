// POST /sandbox/v1/reset {"demo"?: false} → {"demo":{"seller","buyers"}|null,"clock"}: empties the
// store (the admin token stays), puts the clock back to real time and builds the demo world again
// unless the body says "demo": false.
import type { FastifyInstance } from "fastify";
import type { SandboxClock } from "../../../clock.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { resetWorld as reset } from "../../../domain/sandbox/reset-world.ts";

interface Route {
  Body: { demo?: boolean } | undefined;
}

export function resetWorld(app: FastifyInstance, ctx: DomainContext, clock: SandboxClock) {
  app.route<Route>({
    method: "POST",
    url: "/reset",
    schema: {
      // A destructive call: a misspelt field ({"Demo":false}) is refused, not taken for "demo".
      body: {
        type: ["object", "null"],
        properties: { demo: { type: "boolean" } },
        additionalProperties: false,
      },
    },
    handler: async ({ body }) => reset(ctx, clock, { demo: body?.demo ?? true }),
  });
}
