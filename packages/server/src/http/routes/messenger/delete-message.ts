// deleteMessage — POST /messenger/v1/accounts/{user_id}/chats/{chat_id}/messages/{message_id}: own
// messages, within one hour; the message stays in history as type "deleted".
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { deleteMessage as deleteOwnMessage } from "../../../domain/messages.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

interface Route {
  Params: { user_id: number; chat_id: string; message_id: string };
}

export function deleteMessage(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("deleteMessage"),
    handler: async ({ params }) =>
      deleteOwnMessage(ctx, params.user_id, params.chat_id, params.message_id),
  });
}
