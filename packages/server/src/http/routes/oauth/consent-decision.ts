// POST /oauth (the consent page's form: the request's parameters, user_id, decision) → 303 to
// the app's redirect URI with ?code=…&state=… (approve) or ?error=access_denied&state=… (deny).
// Everything is checked again, as on GET: the form may be hand-made.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { decideConsent, type RequestParams } from "../../../domain/oauth/consent.ts";
import { sendRedirect } from "./html-reply.ts";

export function consentDecision(app: FastifyInstance, ctx: DomainContext) {
  app.post("/oauth", async (request, reply) => {
    const params = typeof request.body === "object" && request.body !== null ? request.body : {};
    return sendRedirect(reply, await decideConsent(ctx, params as RequestParams));
  });
}
