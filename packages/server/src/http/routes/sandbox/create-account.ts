// POST /sandbox/v1/accounts {"name"} → 201 {"user_id","name","client_id","client_secret"}
import type { FastifyInstance } from "fastify";
import { createAccount as create, credentialsOf } from "../../../domain/accounts.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { name } from "./schemas.ts";

interface Route {
  Body: { name: string };
}

export function createAccount(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "POST",
    url: "/accounts",
    schema: { body: { type: "object", properties: { name }, required: ["name"] } },
    handler: async ({ body }, reply) =>
      reply.code(201).send(credentialsOf(await create(ctx, body.name))),
  });
}
