// The corrected Avito documents (packages/contract), and the JSON schemas Fastify validates each
// messenger operation's input with, taken from them: the document is the one source of truth for
// paths, methods, parameters, bodies and the scope each operation needs.
import { createRequire } from "node:module";

export type JsonSchema = { [key: string]: unknown };

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
  security?: Record<string, string[]>[];
}

type PathItem = { parameters?: Parameter[] } & Partial<Record<HttpMethod, Operation>>;
type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface OpenApiDocument {
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, JsonSchema>; parameters: Record<string, Parameter> };
}

const require = createRequire(import.meta.url);
export const messengerDocument = require("@beseda/contract/messenger.json") as OpenApiDocument;
/** The calls around the messenger, from Avito's other APIs (corrected copies, served operations only). */
export const userDocument = require("@beseda/contract/user.json") as OpenApiDocument;
export const itemsDocument = require("@beseda/contract/items.json") as OpenApiDocument;
export const authDocument = require("@beseda/contract/auth.json") as OpenApiDocument;
/** Beseda's own document of the sandbox control API (/sandbox/v1). */
export const sandboxDocument = require("@beseda/contract/sandbox.json") as OpenApiDocument;

/** Keywords that are documentation only; ajv in strict mode would refuse them. */
const ANNOTATIONS = new Set(["example", "examples", "x-examples", "x-code-samples"]);

/** The node with every local $ref replaced by its (recursively resolved) target. */
export function resolveRefs<T>(document: object, node: T): T {
  if (Array.isArray(node)) return node.map((n) => resolveRefs(document, n)) as T;
  if (typeof node !== "object" || node === null) return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === "string") {
    const target = ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], document);
    return resolveRefs(document, target as T);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!ANNOTATIONS.has(key)) out[key] = resolveRefs(document, value);
  }
  return out as T;
}

export interface OperationSpec {
  operationId: string;
  method: Uppercase<HttpMethod>;
  /** The document's path in Fastify's syntax (":user_id"). */
  url: string;
  schema: { params?: JsonSchema; querystring?: JsonSchema; body?: JsonSchema };
  /** The scope an authorization_code token needs; personal tokens have every scope. */
  scope: string | null;
  /** The 200 response body's schema, for tests. */
  responseSchema: JsonSchema | undefined;
}

function objectOf(params: Parameter[]): JsonSchema | undefined {
  if (params.length === 0) return undefined;
  return {
    type: "object",
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}

export function findOperation(document: OpenApiDocument, operationId: string): OperationSpec {
  for (const [path, rawItem] of Object.entries(document.paths)) {
    for (const method of ["get", "post", "put", "patch", "delete"] as const) {
      const raw = rawItem[method];
      if (raw?.operationId !== operationId) continue;
      const operation = resolveRefs(document, raw);
      const shared = resolveRefs(document, rawItem.parameters ?? []);
      const params = [...shared, ...(operation.parameters ?? [])];
      const body = operation.requestBody?.content["application/json"]?.schema;
      const scopes = (operation.security ?? []).flatMap((s) => s.AuthorizationCode ?? []);
      const schema: OperationSpec["schema"] = {};
      const pathParams = objectOf(params.filter((p) => p.in === "path"));
      const query = objectOf(params.filter((p) => p.in === "query"));
      if (pathParams) schema.params = pathParams;
      if (query) schema.querystring = query;
      if (body) schema.body = body;
      return {
        operationId,
        method: method.toUpperCase() as Uppercase<HttpMethod>,
        url: path.replaceAll(/\{(\w+)\}/g, ":$1"),
        schema,
        scope: scopes[0] ?? null,
        responseSchema: operation.responses["200"]?.content?.["application/json"]?.schema,
      };
    }
  }
  throw new Error(`operation ${operationId} is not in the document`);
}
