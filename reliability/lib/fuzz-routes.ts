// Every route the fuzzer aims at, in one shape, read from the served OpenAPI documents: the
// thirteen messenger operations (messenger.json), the token endpoint (auth.json), the calls around
// the messenger (user.json, items.json), the sandbox API (sandbox.json, which a test keeps equal to
// the routes the server registers), and the public and media links responses hand out. A route
// says how to call it (method, path, parameters, body) and what a 2xx must look like.
import {
  authDocument,
  findOperation,
  itemsDocument,
  type JsonSchema,
  messengerDocument,
  resolveRefs,
  sandboxDocument,
  userDocument,
} from "../../packages/server/src/http/openapi/contract.ts";

export type Family = "messenger" | "token" | "sandbox" | "links";

export type RouteBody =
  | { kind: "none" }
  | { kind: "json"; schema: JsonSchema }
  | { kind: "form"; schema: JsonSchema }
  | { kind: "multipart"; field: string; file: "image" | "voice" };

export type SuccessRule =
  /** A messenger operation's 200, validated against the document. */
  | { kind: "operation"; operationId: string }
  /** JSON validated against a schema, answered with one of these statuses. */
  | { kind: "json"; schema: JsonSchema; statuses: number[] }
  /** Not JSON: a media file or a page, told by its content type. */
  | { kind: "content"; type: RegExp };

export interface RouteSpec {
  /** operationId, or "METHOD /path" for routes without a document. */
  label: string;
  family: Family;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** With {name} placeholders. */
  path: string;
  pathParams: Record<string, JsonSchema>;
  /** An object schema of the query parameters. */
  query: JsonSchema | null;
  body: RouteBody;
  auth: "messenger" | "admin" | "none";
  /** The scope an authorization_code token needs (messenger operations). */
  scope: string | null;
  success: SuccessRule;
}

export { authDocument };

/** The thirteen operations of messenger.json, read from the document. */
function messengerRoutes(): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const [path, item] of Object.entries(messengerDocument.paths)) {
    for (const method of ["get", "post"] as const) {
      const raw = item[method];
      if (!raw) continue;
      const operation = findOperation(messengerDocument, raw.operationId);
      const multipart = raw.requestBody?.content["multipart/form-data"];
      const body: RouteBody = multipart
        ? {
            kind: "multipart",
            field: Object.keys((multipart.schema.properties ?? {}) as object)[0] ?? "file",
            file: "image",
          }
        : operation.schema.body
          ? { kind: "json", schema: operation.schema.body }
          : { kind: "none" };
      routes.push({
        label: operation.operationId,
        family: "messenger",
        method: operation.method === "GET" ? "GET" : "POST",
        path,
        pathParams: (operation.schema.params?.properties ?? {}) as Record<string, JsonSchema>,
        query: operation.schema.querystring ?? null,
        body,
        auth: "messenger",
        scope: operation.scope,
        success: { kind: "operation", operationId: operation.operationId },
      });
    }
  }
  return routes;
}

/** POST /token (form-encoded, one of three grants) from auth.json; GET /token with a query too. */
function tokenRoutes(): RouteSpec[] {
  const operation = authDocument.paths["/token"]?.post;
  if (!operation) throw new Error("auth.json has no POST /token");
  const resolved = resolveRefs(authDocument, operation);
  const form = resolved.requestBody?.content["application/x-www-form-urlencoded"]?.schema;
  const answer = resolved.responses["200"]?.content?.["application/json"]?.schema;
  if (!form || !answer) throw new Error("auth.json's /token lacks its form or its answer");
  const success: SuccessRule = { kind: "json", schema: answer, statuses: [200] };
  const common = { family: "token", pathParams: {}, auth: "none", scope: null, success } as const;
  return [
    {
      ...common,
      label: "getAccessToken",
      method: "POST",
      path: "/token",
      query: null,
      body: { kind: "form", schema: form },
    },
    {
      ...common,
      label: "GET /token",
      method: "GET",
      path: "/token",
      query: form,
      body: { kind: "none" },
    },
  ];
}

// ---- The calls around the messenger, from user.json and items.json ----

/** getUserInfoSelf, getItemsInfo, getItemInfo: bearer routes like the messenger's. */
function coreRoutes(): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const document of [userDocument, itemsDocument]) {
    for (const item of Object.values(document.paths)) {
      for (const method of ["get", "post"] as const) {
        const raw = item[method];
        if (!raw) continue;
        const operation = findOperation(document, raw.operationId);
        const answer = operation.responseSchema;
        if (!answer) throw new Error(`${raw.operationId} documents no 200 body`);
        routes.push({
          label: operation.operationId,
          family: "messenger",
          method: operation.method === "GET" ? "GET" : "POST",
          path: operation.url.replaceAll(/:(\w+)/g, "{$1}"),
          pathParams: (operation.schema.params?.properties ?? {}) as Record<string, JsonSchema>,
          query: operation.schema.querystring ?? null,
          body: operation.schema.body
            ? { kind: "json", schema: operation.schema.body }
            : { kind: "none" },
          auth: "messenger",
          scope: operation.scope,
          success: { kind: "json", schema: answer, statuses: [200] },
        });
      }
    }
  }
  return routes;
}

// ---- The sandbox API, from sandbox.json ----

type DocumentOperation = {
  parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
};

/**
 * Documented, checked when a mutation lands on them, but never aimed at: each would undo the world
 * the fuzzer stands on, or make the server fail on purpose.
 */
const NOT_DRAWN: Record<string, string> = {
  "POST /sandbox/v1/faults": "its rules answer 5xx and cut connections by design",
  "POST /sandbox/v1/reset": "empties the world",
  "POST /sandbox/v1/import": "replaces the world",
  "POST /sandbox/v1/accounts/{user_id}/tokens/expire": "expires the tokens the fuzzer sends",
  "POST /sandbox/v1/tokens/revoke": "revokes the refresh tokens the token routes use",
};

/**
 * Where the fuzzer draws narrower values than the document allows: a clock advanced by more than
 * a minute would expire every token of the run, and an authorization code is worth asking only
 * for scopes that an operation checks.
 */
const NARROWER: Record<string, Record<string, JsonSchema>> = {
  "POST /sandbox/v1/clock": { advance_seconds: { type: "integer", minimum: 0, maximum: 60 } },
  "POST /sandbox/v1/authorization-codes": {
    scope: {
      enum: [
        "messenger:read",
        "messenger:write",
        "messenger:read,messenger:write",
        "user:read",
        "items:info",
      ],
    },
  },
};

/** One schema of an allOf's members: properties merged, required joined, the rest as written. */
function merged(schema: JsonSchema): JsonSchema {
  const members = schema.allOf as JsonSchema[] | undefined;
  if (!members) return schema;
  const { allOf: _allOf, ...rest } = schema;
  const out: JsonSchema = { ...rest };
  for (const member of members.map(merged)) {
    for (const [key, value] of Object.entries(member)) {
      if (key === "properties") {
        out.properties = { ...(out.properties as object), ...(value as object) };
      } else if (key === "required") {
        out.required = [
          ...new Set([...((out.required as string[]) ?? []), ...(value as string[])]),
        ];
      } else {
        out[key] = value;
      }
    }
  }
  return out;
}

function narrowed(label: string, schema: JsonSchema): JsonSchema {
  const narrower = NARROWER[label];
  if (!narrower) return schema;
  return { ...schema, properties: { ...(schema.properties as object), ...narrower } };
}

function sandboxBody(label: string, operation: DocumentOperation): RouteBody {
  const content = operation.requestBody?.content ?? {};
  const multipart = content["multipart/form-data"]?.schema;
  if (multipart) {
    const field = Object.keys((multipart.properties ?? {}) as object)[0] ?? "file";
    return { kind: "multipart", field, file: field === "uploadfile[]" ? "image" : "voice" };
  }
  const json = content["application/json"]?.schema;
  return json ? { kind: "json", schema: narrowed(label, merged(json)) } : { kind: "none" };
}

function objectOf(parameters: DocumentOperation["parameters"]): JsonSchema | null {
  if (!parameters || parameters.length === 0) return null;
  return {
    type: "object",
    properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
    required: parameters.filter((p) => p.required).map((p) => p.name),
  };
}

/** Every operation of sandbox.json, with its 2xx answers as the document has them. */
function sandboxRoutes(): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const [path, item] of Object.entries(sandboxDocument.paths)) {
    for (const method of ["get", "post", "put", "delete"] as const) {
      const raw = (item as Record<string, unknown>)[method];
      if (!raw) continue;
      const operation = resolveRefs(sandboxDocument, raw) as DocumentOperation;
      const label = `${method.toUpperCase()} ${path}`;
      const parameters = operation.parameters ?? [];
      const statuses = Object.keys(operation.responses)
        .filter((status) => /^2\d\d$/.test(status))
        .map(Number);
      const content = operation.responses[String(statuses[0])]?.content;
      // The event stream stays open until its client leaves: nothing for a fuzzer to wait on.
      if (content?.["text/event-stream"]) continue;
      const answer = content?.["application/json"]?.schema;
      if (!answer) throw new Error(`sandbox.json: ${label} documents no JSON answer`);
      routes.push({
        label,
        family: "sandbox",
        method: method.toUpperCase() as RouteSpec["method"],
        path,
        pathParams: Object.fromEntries(
          parameters.filter((p) => p.in === "path").map((p) => [p.name, p.schema]),
        ),
        query: objectOf(parameters.filter((p) => p.in === "query")),
        body: sandboxBody(label, operation),
        auth: "admin",
        scope: null,
        success: { kind: "json", schema: answer, statuses },
      });
    }
  }
  return routes;
}

export const MESSENGER_ROUTES = messengerRoutes();
export const TOKEN_ROUTES = tokenRoutes();
export const CORE_ROUTES = coreRoutes();
/** Every sandbox route: what a mutated request may land on. */
export const SANDBOX_ROUTES = sandboxRoutes();
/** The sandbox routes the fuzzer aims at. */
export const DRAWN_SANDBOX_ROUTES = SANDBOX_ROUTES.filter((r) => !(r.label in NOT_DRAWN));

/** An object with these fields, typed; fields it does not name may follow. */
const open = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: "object",
  properties,
  required: Object.keys(properties),
  additionalProperties: true,
});

/** What a public or media link must answer with, by the shape of its path. */
export function linkSuccess(path: string): SuccessRule {
  if (path.startsWith("/healthz")) {
    return { kind: "json", schema: open({ status: { const: "ok" } }), statuses: [200] };
  }
  if (path.startsWith("/media/images/")) return { kind: "content", type: /^image\/jpeg/ };
  if (path.startsWith("/media/voices/")) return { kind: "content", type: /^audio\/mp4/ };
  if (path.startsWith("/static/")) return { kind: "content", type: /^image\/png/ };
  return { kind: "content", type: /^text\/html/ };
}

/** A link of a response as a route of its own: GET, no parameters to fill. */
export function linkRoute(path: string): RouteSpec {
  const [pathname] = path.split("?");
  return {
    label: `GET ${(pathname ?? path).replace(/\/[^/]*\d[^/]*/g, "/…")}`,
    family: "links",
    method: "GET",
    path,
    pathParams: {},
    query: null,
    body: { kind: "none" },
    auth: "none",
    scope: null,
    success: linkSuccess(path),
  };
}
