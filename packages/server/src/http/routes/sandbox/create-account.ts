// POST /sandbox/v1/accounts {"name","redirect_uris"?} → 201
// {"user_id","name","client_id","client_secret","redirect_uris"}: a new account, which is also an
// app (its client_id) with these redirect URIs registered for the consent page.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { createAccountWithApp } from "../../../domain/oauth/apps.ts";
import { name, redirectUris } from "./schemas.ts";

interface Route {
  Body: { name: string; redirect_uris?: string[] };
}

export function createAccount(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "POST",
    url: "/accounts",
    schema: {
      body: {
        type: "object",
        properties: { name, redirect_uris: redirectUris },
        required: ["name"],
      },
    },
    handler: async ({ body }, reply) =>
      reply.code(201).send(await createAccountWithApp(ctx, body.name, body.redirect_uris ?? [])),
  });
}
