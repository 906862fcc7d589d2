// POST /sandbox/v1/authorization-codes {"client_id","user_id","scope"?,"redirect_uri"?} → 201
// {"code","expires_in"}: what a user's consent gives an app, without the consent page, to
// exchange at /token with grant_type=authorization_code (and then refresh). The page's rules
// hold: known scopes only; a redirect_uri must be registered by the app, and binds the code.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { MAX_REDIRECT_URI_LENGTH } from "../../../domain/oauth/apps.ts";
import { createAuthorizationCode as create } from "../../../domain/oauth/authorization-codes.ts";
import { userId } from "./schemas.ts";

interface Route {
  Body: { client_id: string; user_id: number; scope?: string; redirect_uri?: string };
}

export function createAuthorizationCode(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "POST",
    url: "/authorization-codes",
    schema: {
      body: {
        type: "object",
        properties: {
          client_id: { type: "string", minLength: 1 },
          user_id: userId,
          scope: { type: "string", pattern: "^[a-z_]+:[a-z_]+(,[a-z_]+:[a-z_]+)*$" },
          // Not format "uri": what must be registered is checked against what is, as a string.
          redirect_uri: { type: "string", minLength: 1, maxLength: MAX_REDIRECT_URI_LENGTH },
        },
        required: ["client_id", "user_id"],
      },
    },
    handler: async ({ body }, reply) => {
      const code = await create(ctx, {
        clientId: body.client_id,
        userId: body.user_id,
        scope: body.scope ?? null,
        redirectUri: body.redirect_uri ?? null,
      });
      return reply.code(201).send(code);
    },
  });
}
