// The API documents (/openapi/*.json), the scenario files' JSON Schema beside them, and the
// documents' browsable reference (/docs): public routes.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { apiReference } from "./api-reference.ts";
import { openapiDocuments } from "./openapi-documents.ts";
import { scenarioSchemaDocument } from "./scenario-schema-document.ts";

export function docsRoutes(app: FastifyInstance, ctx: DomainContext) {
  openapiDocuments(app, ctx);
  scenarioSchemaDocument(app);
  apiReference(app);
}
