// postSendMessage — POST /messenger/v1/accounts/{user_id}/chats/{chat_id}/messages: text only.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { sendText } from "../../../domain/messages.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

interface Route {
  Params: { user_id: number; chat_id: string };
  Body: { message: { text: string }; type: "text" };
}

export function sendMessage(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("postSendMessage"),
    handler: async ({ params, body }) =>
      sendText(ctx, params.user_id, params.chat_id, body.message.text),
  });
}
