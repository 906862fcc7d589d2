// POST /sandbox/v1/accounts/{user_id}/items {"title","price_string"?,"status_id"?,"address"?,
// "category"?:{"id","name"}} → 201 the item (address and category are what getItemsInfo shows)
import type { FastifyInstance } from "fastify";
import {
  createItem as create,
  ITEM_STATUS_ACTIVE,
  ITEM_STATUSES,
} from "../../../domain/accounts.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { accountParams, name } from "./schemas.ts";

interface Route {
  Params: { user_id: number };
  Body: {
    title: string;
    price_string?: string;
    status_id?: number;
    address?: string;
    category?: { id: number; name: string };
  };
}

export function createItem(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "POST",
    url: "/accounts/:user_id/items",
    schema: {
      params: accountParams,
      body: {
        type: "object",
        properties: {
          title: name,
          price_string: { type: "string", maxLength: 100 },
          status_id: { type: "integer", enum: [...ITEM_STATUSES] },
          address: { type: "string", minLength: 1, maxLength: 300 },
          category: {
            type: "object",
            properties: {
              id: { type: "integer", format: "int32", minimum: 1 },
              name: { type: "string", minLength: 1, maxLength: 100 },
            },
            required: ["id", "name"],
          },
        },
        required: ["title"],
      },
    },
    handler: async ({ params, body }, reply) => {
      const item = await create(ctx, params.user_id, {
        title: body.title,
        priceString: body.price_string ?? null,
        statusId: body.status_id ?? ITEM_STATUS_ACTIVE,
        address: body.address ?? null,
        category: body.category ?? null,
      });
      return reply.code(201).send({
        item_id: item.id,
        user_id: item.ownerId,
        title: item.title,
        price_string: item.priceString,
        status_id: item.statusId,
        url: ctx.urls.item(item.id),
        address: item.address,
        category: item.category,
      });
    },
  });
}
