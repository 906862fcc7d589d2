// getMessagesV3 — GET /messenger/v3/accounts/{user_id}/chats/{chat_id}/messages/: newest first, a
// bare array; the path answers with and without its trailing slash. Does not mark the chat read.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { listMessages } from "../../../domain/messages.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

interface Route {
  Params: { user_id: number; chat_id: string };
  Querystring: { limit?: number; offset?: number };
}

export function getMessages(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("getMessagesV3"),
    handler: async ({ params, query }) =>
      listMessages(ctx, params.user_id, params.chat_id, {
        limit: query.limit ?? 100,
        offset: query.offset ?? 0,
      }),
  });
}
