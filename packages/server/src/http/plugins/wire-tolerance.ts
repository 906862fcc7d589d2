// What production accepts and clients rely on (WIRE-NOTES, "Lists and pagination"): query arrays
// as repeated keys, comma lists or name[]; booleans as True/False; a JSON content type on an empty
// body. Unknown JSON fields are simply not looked at.
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { JsonSchema } from "../openapi/contract.ts";

/** Repeated keys become arrays; "name[]" is the same key as "name". */
export function parseQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [rawKey, value] of new URLSearchParams(query)) {
    const key = rawKey.endsWith("[]") ? rawKey.slice(0, -2) : rawKey;
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else out[key] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/**
 * A preValidation hook for one route: splits comma lists in its array parameters and lower-cases
 * True/False in its boolean ones, so that ajv sees the shapes the document describes.
 */
export function normalizeQuery(querySchema: JsonSchema | undefined) {
  const properties = (querySchema?.properties ?? {}) as Record<string, JsonSchema>;
  const arrays = Object.keys(properties).filter((k) => properties[k]?.type === "array");
  const booleans = Object.keys(properties).filter((k) => properties[k]?.type === "boolean");
  return async (request: FastifyRequest): Promise<void> => {
    const query = request.query as Record<string, string | string[] | undefined>;
    for (const key of arrays) {
      const value = query[key];
      if (value === undefined) continue;
      const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(","));
      query[key] = parts.map((p) => p.trim()).filter((p) => p !== "");
    }
    for (const key of booleans) {
      const value = query[key];
      if (typeof value === "string" && /^(true|false)$/i.test(value)) {
        query[key] = value.toLowerCase();
      }
    }
  };
}

export const wireTolerance = fp(
  async (app: FastifyInstance) => {
    // Fastify's own parser, which also refuses prototype poisoning, for every non-empty body.
    const parseJson = app.getDefaultJsonParser("error", "error");
    app.removeContentTypeParser("application/json");
    // Fastify parses text/plain by default; no route takes text, so it is a wrong content type
    // (415), not a body that fails validation.
    app.removeContentTypeParser("text/plain");
    // An empty body with a JSON content type (clients send one on /read and delete) is no body.
    app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
      const text = body.toString();
      if (text.trim() === "") return done(null, undefined);
      return parseJson(request, text, done);
    });
  },
  { name: "wire-tolerance" },
);
