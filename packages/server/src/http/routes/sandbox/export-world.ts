// GET /sandbox/v1/export?media=true|false → the whole world as one fixture document (JSON,
// README "Fixtures and reset"); media=false names the media blobs without their bytes.
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { SandboxClock } from "../../../clock.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { exportWorld as exportDocument } from "../../../domain/sandbox/export-world.ts";

interface Route {
  Querystring: { media?: boolean };
}

export function exportWorld(app: FastifyInstance, ctx: DomainContext, clock: SandboxClock) {
  app.route<Route>({
    method: "GET",
    url: "/export",
    schema: {
      querystring: { type: "object", properties: { media: { type: "boolean", default: true } } },
    },
    handler: async ({ query }, reply) => {
      const pieces = await exportDocument(ctx, clock, { media: query.media ?? true });
      return reply.type("application/json; charset=utf-8").send(Readable.from(pieces));
    },
  });
}
