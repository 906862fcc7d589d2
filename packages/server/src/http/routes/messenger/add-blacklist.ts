// postBlacklistV2 — POST /messenger/v2/accounts/{user_id}/blacklist: the listed users can no
// longer write to the account.
import type { FastifyInstance } from "fastify";
import { addToBlacklist, type BlacklistRequest } from "../../../domain/blacklist.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { operationRoute } from "../../openapi/operation-route.ts";

interface Route {
  Params: { user_id: number };
  Body: BlacklistRequest;
}

export function addBlacklist(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    ...operationRoute("postBlacklistV2"),
    handler: async ({ params, body }) => addToBlacklist(ctx, params.user_id, body),
  });
}
