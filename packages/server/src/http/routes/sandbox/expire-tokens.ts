// POST /sandbox/v1/accounts/{user_id}/tokens/expire → {"user_id","expired"}: every access token of
// the account answers 403 "access token expired" from now on; its refresh tokens still work.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { expireAccountTokens } from "../../../domain/sandbox/faults-tokens.ts";
import { accountParams } from "./schemas.ts";

export function expireTokens(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Params: { user_id: number } }>({
    method: "POST",
    url: "/accounts/:user_id/tokens/expire",
    schema: { params: accountParams },
    handler: async ({ params }) => expireAccountTokens(ctx, params.user_id),
  });
}
