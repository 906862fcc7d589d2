// postSendImageMessage — POST /messenger/v1/accounts/{user_id}/chats/{chat_id}/messages/image:
// sends an image this account uploaded.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { sendImage } from "../../../domain/messages.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

interface Route {
  Params: { user_id: number; chat_id: string };
  Body: { image_id: string };
}

export function sendImageMessage(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("postSendImageMessage"),
    handler: async ({ params, body }) =>
      sendImage(ctx, params.user_id, params.chat_id, body.image_id),
  });
}
