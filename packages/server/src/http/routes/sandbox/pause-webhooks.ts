// POST /sandbox/v1/accounts/{user_id}/webhooks/pause → {"paused":true}: the account's webhook
// deliveries, new and retrying, wait queued until resumed; nothing is attempted meanwhile.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { pauseWebhooks as pause } from "../../../domain/webhooks/pauses.ts";
import { accountParams } from "./schemas.ts";

export function pauseWebhooks(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Params: { user_id: number } }>({
    method: "POST",
    url: "/accounts/:user_id/webhooks/pause",
    schema: { params: accountParams },
    handler: async ({ params }) => pause(ctx, params.user_id),
  });
}
