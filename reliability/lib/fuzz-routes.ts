// Every route the fuzzer aims at, in one shape: the thirteen messenger operations and the token
// endpoint from the OpenAPI documents, the sandbox API from one table written here after the
// README's, and the public and media links responses hand out. A route says how to call it
// (method, path, parameters, body) and what a 2xx must look like.
//
// The sandbox has no OpenAPI document yet: SANDBOX_ROUTES describes it from the README's table.
// Once issue 10 serves a sandbox document, this table should be generated from it, as the
// messenger routes are from messenger.json.
import { createRequire } from "node:module";
import {
  findOperation,
  type JsonSchema,
  messengerDocument,
  type OpenApiDocument,
  resolveRefs,
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
  method: "GET" | "POST";
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

const require = createRequire(import.meta.url);
export const authDocument = require("@beseda/contract/auth.json") as OpenApiDocument;

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

// ---- The sandbox API, from the README's table ----

const id64 = { type: "integer", format: "int64", minimum: 1 };
const text = (maxLength: number) => ({ type: "string", minLength: 1, maxLength });
const obj = (properties: Record<string, JsonSchema>, required: string[]): JsonSchema => ({
  type: "object",
  properties,
  required,
});

/** Message types and their content, as the README's second table lists them. */
const MESSAGE_CONTENT: Record<string, JsonSchema> = {
  text: obj({ text: text(1000) }, ["text"]),
  link: obj({ link: obj({ url: { type: "string", format: "uri" }, text: text(100) }, ["url"]) }, [
    "link",
  ]),
  item: obj(
    {
      item: obj(
        {
          title: text(100),
          item_url: { type: "string", format: "uri" },
          image_url: { type: "string", format: "uri" },
          price_string: text(50),
        },
        ["title", "item_url"],
      ),
    },
    ["item"],
  ),
  location: obj(
    {
      location: obj(
        {
          lat: { type: "number", minimum: -90, maximum: 90 },
          lon: { type: "number", minimum: -180, maximum: 180 },
          kind: text(50),
          text: text(100),
          title: text(100),
        },
        ["lat", "lon"],
      ),
    },
    ["location"],
  ),
  call: obj(
    {
      call: obj({ status: { const: "missed" }, target_user_id: id64 }, [
        "status",
        "target_user_id",
      ]),
    },
    ["call"],
  ),
  system: obj({ text: text(1000), flow_id: text(50) }, ["text"]),
  video: obj({}, []),
  file: obj({}, []),
  appCall: obj({}, []),
  image: obj({ image_id: { type: "string" } }, ["image_id"]),
  voice: obj({ voice: obj({ voice_id: { type: "string" } }, ["voice_id"]) }, ["voice"]),
};

const sandboxMessageBody: JsonSchema = {
  type: "object",
  required: ["author_id", "type"],
  oneOf: Object.entries(MESSAGE_CONTENT).map(([type, content]) => ({
    properties: {
      author_id: id64,
      type: { const: type },
      content,
      quote_id: { type: "string", pattern: "^[0-9a-f]{32}$" },
    },
    required: ["author_id", "type", "content"],
  })),
};

const nullable = (type: string) => ({ type: [type, "null"] });
/** The answers the README promises: every field it names, typed; fields it does not name may follow. */
const open = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: "object",
  properties,
  required: Object.keys(properties),
  additionalProperties: true,
});
const messageSchema = resolveRefs<JsonSchema>(messengerDocument, {
  $ref: "#/components/schemas/Messages",
}).items as JsonSchema;
const imageSizes: JsonSchema = {
  type: "object",
  minProperties: 1,
  maxProperties: 1,
  propertyNames: { pattern: "^\\d+\\.[0-9a-f]{32}$" },
  additionalProperties: {
    type: "object",
    required: ["1280x960", "640x480", "140x105", "32x32"],
    additionalProperties: { type: "string", format: "uri" },
  },
};
/** The README names the delivery log's fields but not their types: times are ISO strings here. */
const delivery = open({
  id: { type: "string" },
  user_id: { type: "integer" },
  chat_id: { type: "string" },
  message_id: { type: "string" },
  status: { enum: ["queued", "pending", "delivered", "failed", "cancelled"] },
  attempts: {
    type: "array",
    items: open({
      number: { type: "integer" },
      url: { type: "string" },
      at: { type: "string" },
      duration_ms: nullable("number"),
      status: nullable("integer"),
      error: nullable("string"),
      response: nullable("string"),
    }),
  },
  created: { type: "string" },
  next_attempt: nullable("string"),
  finished: nullable("string"),
  body: {},
});

interface SandboxRow {
  method: "GET" | "POST";
  path: string;
  pathParams?: Record<string, JsonSchema>;
  query?: JsonSchema;
  body: RouteBody;
  statuses: number[];
  answer: JsonSchema;
}

/** The README's sandbox table. advance_seconds is kept within a minute: see fuzz-schema-arbitrary. */
const SANDBOX_TABLE: SandboxRow[] = [
  {
    method: "POST",
    path: "/accounts",
    body: { kind: "json", schema: obj({ name: text(200) }, ["name"]) },
    statuses: [201],
    answer: open({
      user_id: { type: "integer" },
      name: { type: "string" },
      client_id: { type: "string" },
      client_secret: { type: "string" },
    }),
  },
  {
    method: "POST",
    path: "/accounts/{user_id}/items",
    pathParams: { user_id: id64 },
    body: {
      kind: "json",
      schema: obj(
        {
          title: text(200),
          price_string: text(100),
          status_id: { type: "integer", enum: [10, 20] },
        },
        ["title"],
      ),
    },
    statuses: [201],
    answer: open({
      item_id: { type: "integer" },
      user_id: { type: "integer" },
      title: { type: "string" },
      price_string: nullable("string"),
      status_id: { enum: [10, 20] },
      url: { type: "string", format: "uri" },
    }),
  },
  {
    method: "POST",
    path: "/chats",
    body: {
      kind: "json",
      schema: {
        type: "object",
        required: ["type"],
        oneOf: [
          obj({ type: { const: "u2i" }, item_id: id64, user_id: id64 }, [
            "type",
            "item_id",
            "user_id",
          ]),
          obj(
            {
              type: { const: "u2u" },
              user_ids: { type: "array", items: id64, minItems: 2, maxItems: 2 },
            },
            ["type", "user_ids"],
          ),
          obj({ type: { const: "a2u" }, user_id: id64 }, ["type", "user_id"]),
        ],
      },
    },
    statuses: [200, 201],
    answer: open({
      chat_id: { type: "string", pattern: "^(u2i|u2u|a2u)-[A-Za-z0-9_~-]{22}$" },
      type: { enum: ["u2i", "u2u", "a2u"] },
      item_id: nullable("integer"),
      user_ids: { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 2 },
      created: { type: "integer" },
    }),
  },
  {
    method: "POST",
    path: "/chats/{chat_id}/messages",
    pathParams: { chat_id: { type: "string" } },
    body: { kind: "json", schema: sandboxMessageBody },
    statuses: [201],
    answer: messageSchema,
  },
  {
    method: "GET",
    path: "/clock",
    body: { kind: "none" },
    statuses: [200],
    answer: open({ now: { type: "integer" }, offset_seconds: { type: "integer" } }),
  },
  {
    method: "POST",
    path: "/clock",
    body: {
      kind: "json",
      schema: obj({ advance_seconds: { type: "integer", minimum: 0, maximum: 60 } }, [
        "advance_seconds",
      ]),
    },
    statuses: [200],
    answer: open({ now: { type: "integer" }, offset_seconds: { type: "integer" } }),
  },
  {
    method: "POST",
    path: "/authorization-codes",
    body: {
      kind: "json",
      schema: obj(
        {
          client_id: { type: "string", minLength: 1 },
          user_id: id64,
          scope: { enum: ["messenger:read", "messenger:write", "messenger:read,messenger:write"] },
          redirect_uri: { type: "string", format: "uri" },
        },
        ["client_id", "user_id"],
      ),
    },
    statuses: [201],
    answer: open({ code: { type: "string" }, expires_in: { type: "integer" } }),
  },
  {
    method: "POST",
    path: "/accounts/{user_id}/images",
    pathParams: { user_id: id64 },
    body: { kind: "multipart", field: "uploadfile[]", file: "image" },
    statuses: [201],
    answer: imageSizes,
  },
  {
    method: "GET",
    path: "/webhooks/deliveries",
    query: obj(
      {
        user_id: id64,
        status: { enum: ["queued", "pending", "delivered", "failed", "cancelled"] },
        limit: { type: "integer", minimum: 1, maximum: 1000 },
      },
      [],
    ),
    body: { kind: "none" },
    statuses: [200],
    answer: open({ deliveries: { type: "array", items: delivery } }),
  },
  {
    method: "POST",
    path: "/webhooks/deliveries/{id}/redeliver",
    pathParams: { id: { type: "string", format: "uuid" } },
    body: { kind: "none" },
    statuses: [200],
    answer: open({ id: { type: "string" }, status: { enum: ["pending", "queued"] } }),
  },
  {
    method: "POST",
    path: "/voices",
    body: { kind: "multipart", field: "file", file: "voice" },
    statuses: [201],
    answer: open({ voice_id: { type: "string", pattern: "^[0-9a-f]{32}$" } }),
  },
];

function sandboxRoutes(): RouteSpec[] {
  return SANDBOX_TABLE.map((row) => ({
    label: `${row.method} /sandbox/v1${row.path}`,
    family: "sandbox",
    method: row.method,
    path: `/sandbox/v1${row.path}`,
    pathParams: row.pathParams ?? {},
    query: row.query ?? null,
    body: row.body,
    auth: "admin",
    scope: null,
    success: { kind: "json", schema: row.answer, statuses: row.statuses },
  }));
}

export const MESSENGER_ROUTES = messengerRoutes();
export const TOKEN_ROUTES = tokenRoutes();
export const SANDBOX_ROUTES = sandboxRoutes();

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
