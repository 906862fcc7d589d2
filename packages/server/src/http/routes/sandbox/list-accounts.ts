// GET /sandbox/v1/accounts → {"accounts":[{"user_id","name","kind","client_id","client_secret",
// "created","items":[…],"subscription"}]}: every account with its app, items and webhook.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { accountsOverview } from "../../../domain/sandbox/world-overview.ts";

export function listAccounts(app: FastifyInstance, ctx: DomainContext) {
  app.get("/accounts", async () => accountsOverview(ctx));
}
