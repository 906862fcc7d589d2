// GET /openapi/{name}.json: the API documents as this server serves them (servers: its own public
// base URL). messenger.json, auth.json, user.json and items.json are the corrected Avito documents
// of packages/contract; sandbox.json documents /sandbox/v1. Public, like the APIs' own 404s.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { BesedaError } from "../../../errors/beseda-error.ts";
import { ServedDocuments } from "../../openapi/served-documents.ts";

export function openapiDocuments(app: FastifyInstance, ctx: DomainContext) {
  const served = new ServedDocuments();
  app.get<{ Params: { name: string } }>("/openapi/:name", async (request, reply) => {
    const text = served.text(request.params.name, ctx.urls.base);
    if (text === null) throw new BesedaError("not_found");
    return reply
      .type("application/json; charset=utf-8")
      .header("Cache-Control", "no-cache")
      .send(text);
  });
}
