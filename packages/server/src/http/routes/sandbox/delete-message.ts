// POST /sandbox/v1/chats/{chat_id}/messages/{message_id}/delete {"user_id"} → {}: the message
// deleted by its author, exactly as deleteMessage does it for the account (one's own only, within
// the hour; it stays in history as type "deleted"; webhooks and a live event).
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { deleteMessageAs } from "../../../domain/sandbox/as-participant.ts";
import { asParticipantBody, chatParams, messageId } from "./schemas.ts";

interface Route {
  Params: { chat_id: string; message_id: string };
  Body: { user_id: number };
}

export function deleteMessage(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "POST",
    url: "/chats/:chat_id/messages/:message_id/delete",
    schema: {
      params: {
        type: "object",
        properties: { ...chatParams.properties, message_id: messageId },
        required: ["chat_id", "message_id"],
      },
      body: asParticipantBody,
    },
    handler: async ({ params, body }) =>
      deleteMessageAs(ctx, params.chat_id, params.message_id, body.user_id),
  });
}
