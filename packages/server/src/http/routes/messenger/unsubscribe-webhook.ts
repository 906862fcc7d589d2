// postWebhookUnsubscribe — POST /messenger/v1/webhook/unsubscribe {"url"} → {"ok":true}.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { unsubscribe } from "../../../domain/webhooks/subscriptions.ts";
import { operationRoute } from "../../openapi/operation-route.ts";
import { principalOf } from "../../plugins/bearer-auth.ts";

export function unsubscribeWebhook(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Body: { url: string } }>({
    ...operationRoute("postWebhookUnsubscribe"),
    handler: async (request) => unsubscribe(ctx, principalOf(request).userId, request.body.url),
  });
}
