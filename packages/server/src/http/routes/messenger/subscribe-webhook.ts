// postWebhookV3 — POST /messenger/v3/webhook {"url"}: probes the URL, then makes it the account's
// one subscription (replacing any other) → {"ok":true}.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { subscribe } from "../../../domain/webhooks/subscriptions.ts";
import { operationRoute } from "../../openapi/operation-route.ts";
import { principalOf } from "../../plugins/bearer-auth.ts";

export function subscribeWebhook(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Body: { url: string } }>({
    ...operationRoute("postWebhookV3"),
    handler: async (request) => subscribe(ctx, principalOf(request).userId, request.body.url),
  });
}
