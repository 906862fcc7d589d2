// getItemsInfo — GET /core/v1/items?per_page=&page=&status= (Avito's items API): the token's
// account's items, newest first. per_page 1..99 (25), page from 1, status a comma list (active).
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { type ItemStatusName, listOwnItems } from "../../../domain/core/items-info.ts";
import { itemsDocument } from "../../openapi/contract.ts";
import { operationRoute } from "../../openapi/operation-route.ts";
import { principalOf } from "../../plugins/bearer-auth.ts";

interface Route {
  Querystring: {
    per_page?: number;
    page?: number;
    status?: ItemStatusName[];
    updatedAtFrom?: string;
    category?: number;
  };
}

export function getItemsInfo(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("getItemsInfo", itemsDocument),
    handler: async (request) => {
      const { query } = request;
      return listOwnItems(ctx, principalOf(request).userId, {
        perPage: query.per_page ?? 25,
        page: query.page ?? 1,
        // "status=" (nothing listed) is the default, as an omitted chat_types is.
        statuses: query.status?.length ? query.status : ["active"],
        updatedAtFrom: query.updatedAtFrom ?? null,
        categoryId: query.category ?? null,
      });
    },
  });
}
