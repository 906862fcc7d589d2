// GET /oauth?response_type=code&client_id=…&scope=…&state=…&redirect_uri=… → 200, the consent
// page: which app asks, for which scopes, and a form to choose the account and approve or deny.
// A request that fails a check gets the error page instead (index.ts), never a redirect.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { consentPage as prepare, type RequestParams } from "../../../domain/oauth/consent.ts";
import { consentPageHtml } from "./consent-html.ts";
import { sendPage } from "./html-reply.ts";

export function consentPage(app: FastifyInstance, ctx: DomainContext) {
  app.get("/oauth", async (request, reply) =>
    sendPage(reply, 200, consentPageHtml(await prepare(ctx, request.query as RequestParams))),
  );
}
