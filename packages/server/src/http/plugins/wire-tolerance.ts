// What production accepts and clients rely on (WIRE-NOTES, "Lists and pagination"): query arrays
// as repeated keys, comma lists or name[]; booleans as True/False; a JSON content type on an empty
// body. Unknown JSON fields are simply not looked at.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { BesedaError } from "../../errors/beseda-error.ts";
import type { JsonSchema } from "../openapi/contract.ts";

/** Repeated keys become arrays; "name[]" is the same key as "name". */
export function parseQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [rawKey, value] of new URLSearchParams(query)) {
    const key = rawKey.endsWith("[]") ? rawKey.slice(0, -2) : rawKey;
    const seen = out[key];
    // Appended in place: copying the array on each repeat made a query of n keys cost n².
    if (seen === undefined) out[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[key] = [seen, value];
  }
  return out;
}

type Raw = string | string[] | undefined;

/** A query or path string as the JSON type its schema declares; left as it is when it is not one. */
function coerceValue(raw: Raw, schema: JsonSchema | undefined): unknown {
  switch (schema?.type) {
    case "array": {
      if (raw === undefined) return raw;
      const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(","));
      const items = schema.items as JsonSchema | undefined;
      return parts
        .map((p) => p.trim())
        .filter((p) => p !== "")
        .map((p) => coerceValue(p, items));
    }
    case "integer":
      return typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    case "number":
      return typeof raw === "string" && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    case "boolean":
      if (typeof raw === "string" && /^(true|false)$/i.test(raw))
        return raw.toLowerCase() === "true";
      return raw;
    default:
      return raw;
  }
}

/** Converts, in place, the properties of `values` that `schema` types. */
export function coerceParameters(
  values: Record<string, Raw>,
  schema: JsonSchema | undefined,
): void {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, property] of Object.entries(properties)) {
    if (values[name] !== undefined) {
      (values as Record<string, unknown>)[name] = coerceValue(values[name], property);
    }
  }
}

export const wireTolerance = fp(
  async (app: FastifyInstance) => {
    // Query and path values are strings on the wire. They become numbers and booleans here, by
    // strict rules (decimal digits only; true/false in any case), and ajv then checks them without
    // coercing anything: "0x10" or "1e3" is not a limit, and a JSON body is taken as sent.
    app.addHook("preValidation", async (request) => {
      const schema = request.routeOptions.schema;
      coerceParameters(request.query as Record<string, Raw>, schema?.querystring as JsonSchema);
      coerceParameters(request.params as Record<string, Raw>, schema?.params as JsonSchema);
    });
    // Fastify's own parser, which also refuses prototype poisoning, for every non-empty body.
    const parseJson = app.getDefaultJsonParser("error", "error");
    /**
     * Its refusal of valid JSON (a "__proto__" key, or "constructor" holding "prototype": the
     * same error for both) names the key, rather than calling the body invalid JSON.
     */
    const refusedKey = (text: string): BesedaError | null => {
      let proto = false;
      try {
        JSON.parse(text, (key, value: unknown) => {
          if (key === "__proto__") proto = true;
          return value;
        });
      } catch {
        return null;
      }
      const key = proto ? "__proto__" : "constructor.prototype";
      return new BesedaError("json_forbidden_key", {
        message: `The request body holds the key "${key}", which is not accepted`,
      });
    };
    app.removeContentTypeParser("application/json");
    // Fastify parses text/plain by default; no route takes text, so it is a wrong content type
    // (415), not a body that fails validation.
    app.removeContentTypeParser("text/plain");
    // An empty body with a JSON content type (clients send one on /read and delete) is no body.
    app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
      const text = body.toString();
      if (text.trim() === "") return done(null, undefined);
      return parseJson(request, text, (error, parsed) => {
        if (error) return done(refusedKey(text) ?? error, undefined);
        return done(null, parsed);
      });
    });
  },
  { name: "wire-tolerance" },
);
