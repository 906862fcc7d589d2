// GET /sandbox/v1/chats/{chat_id}/messages?limit=&before= → {"messages":[…],"more"}: a chat's
// history a page at a time, newest page first (each page oldest first): the console's chat view,
// which scrolls back with `before`, the oldest id it holds.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { chatHistory } from "../../../domain/sandbox/world-overview.ts";
import { chatParams, messageId } from "./schemas.ts";

interface Route {
  Params: { chat_id: string };
  Querystring: { limit?: number; before?: string };
}

export function listChatMessages(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "GET",
    url: "/chats/:chat_id/messages",
    schema: {
      params: chatParams,
      querystring: {
        type: "object",
        properties: {
          limit: { type: "integer", minimum: 1, maximum: 500, default: 100 },
          before: messageId,
        },
      },
    },
    handler: async ({ params, query }) =>
      chatHistory(ctx, params.chat_id, {
        limit: query.limit ?? 100,
        before: query.before ?? null,
      }),
  });
}
