// getChatsV2 — GET /messenger/v2/accounts/{user_id}/chats: the account's chats, newest activity first.
import type { FastifyInstance } from "fastify";
import { listChats } from "../../../domain/chat-reads.ts";
import type { DomainContext } from "../../../domain/context.ts";
import type { ChatType } from "../../../store/records.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

interface Route {
  Params: { user_id: number };
  Querystring: {
    item_ids?: number[];
    unread_only?: boolean;
    chat_types?: ChatType[];
    limit?: number;
    offset?: number;
  };
}

export function getChats(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("getChatsV2"),
    handler: async ({ params, query }) =>
      listChats(ctx, params.user_id, {
        chatTypes: query.chat_types?.length ? query.chat_types : ["u2i"],
        itemIds: query.item_ids?.length ? query.item_ids : null,
        unreadOnly: query.unread_only ?? false,
        limit: query.limit ?? 100,
        offset: query.offset ?? 0,
      }),
  });
}
