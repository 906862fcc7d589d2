// GET /sandbox/v1/webhooks/deliveries?user_id=&status=&chat_id=&message_id=&limit= →
// {"deliveries":[…]} (newest first, each with its attempts), and POST
// /sandbox/v1/webhooks/deliveries/{id}/redeliver.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import {
  type DeliveryStatus,
  deliveryLog,
  redeliver,
} from "../../../domain/webhooks/deliveries.ts";
import { chatParams, messageId, userId } from "./schemas.ts";

interface ListRoute {
  Querystring: {
    user_id?: number;
    status?: DeliveryStatus;
    chat_id?: string;
    message_id?: string;
    limit?: number;
  };
}

export function webhookDeliveries(app: FastifyInstance, ctx: DomainContext) {
  app.route<ListRoute>({
    method: "GET",
    url: "/webhooks/deliveries",
    schema: {
      querystring: {
        type: "object",
        properties: {
          user_id: userId,
          status: {
            type: "string",
            enum: ["queued", "pending", "delivered", "failed", "cancelled"],
          },
          chat_id: chatParams.properties.chat_id,
          message_id: messageId,
          limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
        },
      },
    },
    handler: async ({ query }) =>
      deliveryLog(ctx, {
        userId: query.user_id ?? null,
        status: query.status ?? null,
        chatId: query.chat_id ?? null,
        messageId: query.message_id ?? null,
        limit: query.limit ?? 100,
      }),
  });

  app.route<{ Params: { id: string } }>({
    method: "POST",
    url: "/webhooks/deliveries/:id/redeliver",
    schema: {
      params: {
        type: "object",
        properties: { id: { type: "string", format: "uuid" } },
        required: ["id"],
      },
    },
    handler: async ({ params }) => redeliver(ctx, params.id),
  });
}
