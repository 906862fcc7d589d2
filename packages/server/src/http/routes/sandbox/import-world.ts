// POST /sandbox/v1/import?replace=true|false, a fixture document as the body → the counts loaded
// and the clock. The document is checked whole first: 400 naming every problem, nothing loaded.
// Without replace the store must hold no world (409 otherwise).
import type { FastifyInstance } from "fastify";
import type { SandboxClock } from "../../../clock.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { importWorld as importDocument } from "../../../domain/sandbox/import-world.ts";

/** A fixture carries its media in base64: far larger than any other request body. */
export const MAX_FIXTURE_BYTES = 256 * 1024 * 1024;

interface Route {
  Querystring: { replace?: boolean };
  Body: unknown;
}

export function importWorld(app: FastifyInstance, ctx: DomainContext, clock: SandboxClock) {
  app.route<Route>({
    method: "POST",
    url: "/import",
    bodyLimit: MAX_FIXTURE_BYTES,
    schema: {
      querystring: {
        type: "object",
        properties: { replace: { type: "boolean", default: false } },
      },
    },
    handler: async ({ query, body }) =>
      importDocument(ctx, clock, body, { replace: query.replace ?? false }),
  });
}
