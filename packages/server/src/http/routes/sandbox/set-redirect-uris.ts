// PUT /sandbox/v1/accounts/{user_id}/redirect-uris {"redirect_uris":[…]} → 200
// {"user_id","name","client_id","client_secret","redirect_uris"}: replaces the redirect URIs the
// account's app registered ([] removes them all); 404 for an unknown account.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { setRedirectUris as set } from "../../../domain/oauth/apps.ts";
import { accountParams, redirectUris } from "./schemas.ts";

interface Route {
  Params: { user_id: number };
  Body: { redirect_uris: string[] };
}

export function setRedirectUris(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "PUT",
    url: "/accounts/:user_id/redirect-uris",
    schema: {
      params: accountParams,
      body: {
        type: "object",
        properties: { redirect_uris: redirectUris },
        required: ["redirect_uris"],
      },
    },
    handler: async ({ params, body }) => set(ctx, params.user_id, body.redirect_uris),
  });
}
