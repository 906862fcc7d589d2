// POST /sandbox/v1/tokens/revoke {"refresh_token"} → {"user_id","client_id","revoked":true,
// "already_used"}: the refresh grant then refuses the token as it refuses a reused one.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { revokeRefreshToken } from "../../../domain/sandbox/faults-tokens.ts";

export function revokeToken(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Body: { refresh_token: string } }>({
    method: "POST",
    url: "/tokens/revoke",
    schema: {
      body: {
        type: "object",
        properties: { refresh_token: { type: "string", minLength: 1, maxLength: 200 } },
        required: ["refresh_token"],
      },
    },
    handler: async ({ body }) => revokeRefreshToken(ctx, body.refresh_token),
  });
}
