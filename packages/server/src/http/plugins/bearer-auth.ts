// Bearer tokens on every messenger route of the group it is registered in. Runs first (onRequest):
// a missing, unknown or expired token is refused before anything else is looked at, as production
// does. Then, before the input is validated (preValidation, once wire-tolerance has read the path's
// numbers), the token's account must be the {user_id} of the path and hold the scope the
// operation's `security` section names: another account learns nothing, not even validation errors.
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { DomainContext } from "../../domain/context.ts";
import { authenticate, hasScope, type Principal } from "../../domain/tokens.ts";
import { BesedaError } from "../../errors/beseda-error.ts";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The scope an authorization_code token needs for this route. */
    scope?: string | null;
  }
}

/** The token of an "Authorization: Bearer <token>" header, or null. */
export function bearerToken(request: FastifyRequest): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  return match?.[1] ?? null;
}

/** The authenticated principal; only for routes behind this plugin. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error("route is not behind bearer-auth");
  return request.principal;
}

export const bearerAuth = fp(
  async (app: FastifyInstance, options: { ctx: DomainContext }) => {
    app.decorateRequest("principal", null);
    app.addHook("onRequest", async (request) => {
      const token = bearerToken(request);
      if (!token) throw new BesedaError("token_invalid");
      request.principal = await authenticate(options.ctx, token);
    });
    app.addHook("preValidation", async (request) => {
      const principal = principalOf(request);
      const params = request.params as { user_id?: unknown };
      // A user_id that is not a valid id is left to validation (400).
      if (Number.isSafeInteger(params.user_id) && params.user_id !== principal.userId) {
        throw new BesedaError("account_forbidden");
      }
      const scope = request.routeOptions.config.scope;
      if (scope && !hasScope(principal, scope)) {
        throw new BesedaError("scope_missing", {
          message: `Forbidden: the token lacks the ${scope} scope`,
        });
      }
    });
  },
  { name: "bearer-auth" },
);
