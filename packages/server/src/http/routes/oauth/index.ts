// The OAuth consent page, /oauth, as production's https://avito.ru/oauth: public (it is the
// user's browser that comes here, with neither the admin token nor a bearer token).
//
// Its errors are HTML pages, not the API's JSON envelope: the one reading them is a person in a
// browser, sent here by an app, and sending the error back to the app instead is only allowed
// once the client and its redirect URI are known good (RFC 6749, section 4.1.2.1), which is
// exactly what most of these errors are about. The handler below serves this route group only;
// everywhere else the global handler keeps answering the envelope.
import type { FastifyError, FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import type { BesedaError } from "../../../errors/beseda-error.ts";
import { answerFor } from "../../plugins/error-handler.ts";
import { consentDecision } from "./consent-decision.ts";
import { errorPageHtml } from "./consent-html.ts";
import { consentPage } from "./consent-page.ts";
import { sendPage } from "./html-reply.ts";

export async function oauthRoutes(app: FastifyInstance, options: { ctx: DomainContext }) {
  app.setErrorHandler((error: FastifyError | BesedaError, request, reply) => {
    const known = answerFor(error, request.log);
    if (known.headers) reply.headers(known.headers);
    return sendPage(
      reply,
      known.spec.status,
      errorPageHtml(known.spec.status, known.message, known.fields),
    );
  });
  consentPage(app, options.ctx);
  consentDecision(app, options.ctx);
}
