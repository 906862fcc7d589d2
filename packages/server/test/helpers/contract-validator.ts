// Validates response bodies against the corrected messenger document. Objects are closed
// (additionalProperties: false unless the document says otherwise) so that a misspelt or
// undocumented field fails the test instead of slipping through.
import { Ajv, type ValidateFunction } from "ajv";
import {
  findOperation,
  type JsonSchema,
  messengerDocument,
  resolveRefs,
} from "../../src/http/openapi/contract.ts";
import { OPENAPI_FORMATS } from "../../src/http/openapi/formats.ts";

const ajv = new Ajv({
  allErrors: true,
  strict: false,
  formats: {
    ...OPENAPI_FORMATS,
    uri: (value: string) => URL.canParse(value),
    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    "date-time": (value: string) =>
      /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value)),
    date: /^\d{4}-\d\d-\d\d$/,
  },
});

function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === "properties"
        ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, closed(v)]))
        : closed(value);
  }
  if (out.type === "object" && out.properties && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

const cache = new Map<string, ValidateFunction>();

function compile(key: string, schema: JsonSchema): ValidateFunction {
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile(closed(schema) as JsonSchema);
    cache.set(key, validate);
  }
  return validate;
}

export function schemaOf(name: string): JsonSchema {
  const schema = messengerDocument.components.schemas[name];
  if (!schema) throw new Error(`no schema ${name} in the document`);
  return resolveRefs(messengerDocument, schema);
}

/** Throws, naming every violation, unless `body` matches the schema. */
export function assertMatches(key: string, schema: JsonSchema, body: unknown): void {
  const validate = compile(key, schema);
  if (!validate(body)) {
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`,
    );
    throw new Error(
      `response does not match ${key}:\n  ${problems.join("\n  ")}\nbody: ${JSON.stringify(body).slice(0, 2000)}`,
    );
  }
}

/** The 200 body of an operation; operations without a documented body answer a JSON object. */
export function assertOperationResponse(operationId: string, body: unknown): void {
  const schema = findOperation(messengerDocument, operationId).responseSchema ?? { type: "object" };
  assertMatches(`operation ${operationId}`, schema, body);
}

/** Error bodies: production's token envelope for 403 token errors, else the document's. */
export function assertErrorEnvelope(status: number, body: unknown): void {
  const tokenError = {
    type: "object",
    required: ["result"],
    properties: {
      result: {
        type: "object",
        required: ["status", "message"],
        properties: { status: { const: false }, message: { type: "string" } },
      },
    },
  };
  const apiError = schemaOf(status === 400 ? "validatingError" : "serviceError");
  const required = {
    type: "object",
    required: ["error"],
    properties: { error: { type: "object", required: ["code", "message"] } },
  };
  if (typeof body === "object" && body !== null && "result" in body) {
    assertMatches("production token error", tokenError, body);
    return;
  }
  assertMatches(`error ${status}`, apiError, body);
  assertMatches(`error ${status} (required)`, required, body);
  const code = (body as { error: { code: number } }).error.code;
  if (code !== status) throw new Error(`error.code ${code} differs from the HTTP status ${status}`);
}
