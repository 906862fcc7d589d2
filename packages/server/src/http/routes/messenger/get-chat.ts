// getChatByIdV2 — GET /messenger/v2/accounts/{user_id}/chats/{chat_id}: one chat and its newest message.
import type { FastifyInstance } from "fastify";
import { getChat as findChatView } from "../../../domain/chat-reads.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

interface Route {
  Params: { user_id: number; chat_id: string };
}

export function getChat(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("getChatByIdV2"),
    handler: async ({ params }) => findChatView(ctx, params.user_id, params.chat_id),
  });
}
