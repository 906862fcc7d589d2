// getSubscriptions — POST /messenger/v1/subscriptions → {"subscriptions":[{"url","version":"3"}]}.
// Only POST, as production: GET answers 404.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { listSubscriptions } from "../../../domain/webhooks/subscriptions.ts";
import { operationRoute } from "../../openapi/operation-route.ts";
import { principalOf } from "../../plugins/bearer-auth.ts";

export function getSubscriptions(app: FastifyInstance, ctx: DomainContext) {
  app.route({
    ...operationRoute("getSubscriptions"),
    handler: async (request) => listSubscriptions(ctx, principalOf(request).userId),
  });
}
