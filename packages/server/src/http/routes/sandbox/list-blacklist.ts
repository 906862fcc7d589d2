// GET /sandbox/v1/accounts/{user_id}/blacklist → {"users":[{"user_id","reason_id","item_id",
// "created"}]}: whom the account blacklisted (postBlacklistV2), oldest first. Production has no
// such read; the sandbox has it so that a test can check that a bot blacklisted a buyer.
import type { FastifyInstance } from "fastify";
import { listBlacklist as list } from "../../../domain/blacklist.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { accountParams } from "./schemas.ts";

export function listBlacklist(app: FastifyInstance, ctx: DomainContext) {
  app.route<{ Params: { user_id: number } }>({
    method: "GET",
    url: "/accounts/:user_id/blacklist",
    schema: { params: accountParams },
    handler: async ({ params }) => list(ctx, params.user_id),
  });
}
