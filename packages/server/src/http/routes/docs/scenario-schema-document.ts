// GET /openapi/scenario.schema.json: the JSON Schema of scenario files (packages/contract), for
// editors to complete them (`# yaml-language-server: $schema=<this URL>`). Served as the file is,
// byte for byte: it is no OpenAPI document, so it has no `servers` to set and /docs does not list
// it. Public, like the API documents.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { FastifyInstance } from "fastify";

const SCHEMA_FILE = createRequire(import.meta.url).resolve("@beseda/contract/scenario.schema.json");

export function scenarioSchemaDocument(app: FastifyInstance) {
  const text = readFileSync(SCHEMA_FILE, "utf8");
  app.get("/openapi/scenario.schema.json", async (_request, reply) =>
    reply
      .type("application/schema+json; charset=utf-8")
      .header("Cache-Control", "no-cache")
      .send(text),
  );
}
