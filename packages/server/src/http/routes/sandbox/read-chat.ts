// POST /sandbox/v1/chats/{chat_id}/read {"user_id"} → {"ok":true}: the chat read as that
// participant, exactly as chatRead does it for the account (the other side's messages get their
// read time; a chat_read live event).
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { readChatAs } from "../../../domain/sandbox/as-participant.ts";
import { asParticipantBody, chatParams } from "./schemas.ts";

interface Route {
  Params: { chat_id: string };
  Body: { user_id: number };
}

export function readChat(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "POST",
    url: "/chats/:chat_id/read",
    schema: {
      params: chatParams,
      body: asParticipantBody,
    },
    handler: async ({ params, body }) => readChatAs(ctx, params.chat_id, body.user_id),
  });
}
