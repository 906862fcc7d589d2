// chatRead — POST /messenger/v1/accounts/{user_id}/chats/{chat_id}/read: the chat becomes read for
// the account, and the other side's messages get their `read` time.
import type { FastifyInstance } from "fastify";
import { readChat as markChatRead } from "../../../domain/chats.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

interface Route {
  Params: { user_id: number; chat_id: string };
}

export function readChat(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("chatRead"),
    handler: async ({ params }) => markChatRead(ctx, params.user_id, params.chat_id),
  });
}
