// The API documents (/openapi/*.json) and their browsable reference (/docs): public routes.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { apiReference } from "./api-reference.ts";
import { openapiDocuments } from "./openapi-documents.ts";

export function docsRoutes(app: FastifyInstance, ctx: DomainContext) {
  openapiDocuments(app, ctx);
  apiReference(app);
}
