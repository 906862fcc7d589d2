// GET /sandbox/v1/messages?chat_id=&since=&limit= → {"messages":[…]}: the messages of every chat
// (or one) written at or after `since`, oldest first, with their read and deleted marks: the
// history `beseda tail --since` prints before it follows the event stream.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { messagesSince } from "../../../domain/sandbox/world-overview.ts";
import { chatParams } from "./schemas.ts";

interface Route {
  Querystring: { chat_id?: string; since?: number; limit?: number };
}

export function listMessages(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "GET",
    url: "/messages",
    schema: {
      querystring: {
        type: "object",
        properties: {
          chat_id: chatParams.properties.chat_id,
          since: { type: "integer", minimum: 0, default: 0 },
          limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
        },
      },
    },
    handler: async ({ query }) =>
      messagesSince(ctx, {
        chatId: query.chat_id ?? null,
        since: query.since ?? 0,
        limit: query.limit ?? 100,
      }),
  });
}
