// POST /sandbox/v1/accounts/{user_id}/webhooks/resume → {"paused":false}: what a pause held back
// goes out, each chat's deliveries in order.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { resumeWebhooks as resume } from "../../../domain/webhooks/pauses.ts";
import { accountParams } from "./schemas.ts";

export function resumeWebhooks(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Params: { user_id: number } }>({
    method: "POST",
    url: "/accounts/:user_id/webhooks/resume",
    schema: { params: accountParams },
    handler: async ({ params }) => resume(ctx, params.user_id),
  });
}
