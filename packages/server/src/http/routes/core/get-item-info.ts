// getItemInfo — GET /core/v1/accounts/{user_id}/items/{item_id}/ (Avito's items API): one item's
// status and link. Another account's item answers its status "another_user", as the document has.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { itemInfo } from "../../../domain/core/items-info.ts";
import { itemsDocument } from "../../openapi/contract.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

interface Route {
  Params: { user_id: number; item_id: number };
}

export function getItemInfo(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("getItemInfo", itemsDocument),
    handler: async ({ params }) => itemInfo(ctx, params.user_id, params.item_id),
  });
}
