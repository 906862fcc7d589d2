// GET /sandbox/v1/chats/{chat_id} → one chat as GET /chats lists it (both users with names and
// unread counts, the item of a u2i chat, the last message): the console's open chat, which need
// not be among the first pages of an inbox. 404 for an unknown chat.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { chatOverview } from "../../../domain/sandbox/world-overview.ts";
import { chatParams } from "./schemas.ts";

interface Route {
  Params: { chat_id: string };
}

export function getChat(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "GET",
    url: "/chats/:chat_id",
    schema: { params: chatParams },
    handler: async ({ params }) => chatOverview(ctx, params.chat_id),
  });
}
