// getUserInfoSelf — GET /core/v1/accounts/self (Avito's user API): the token's own account.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { userInfoSelf } from "../../../domain/core/user-info.ts";
import { userDocument } from "../../openapi/contract.ts";
import { operationRoute } from "../../openapi/operation-route.ts";
import { principalOf } from "../../plugins/bearer-auth.ts";

export function getUserInfoSelf(app: FastifyInstance, ctx: DomainContext) {
  app.route({
    ...operationRoute("getUserInfoSelf", userDocument),
    handler: async (request) => userInfoSelf(ctx, principalOf(request).userId),
  });
}
