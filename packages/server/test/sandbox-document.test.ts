// packages/contract/openapi/sandbox.json against the server, so that the document cannot drift:
// the routes Fastify registers under /sandbox/v1 and the document's operations are the same set
// (methods and paths, both ways); where a route validates its input with a JSON schema, the
// document's body, path and query schemas are that schema; the answers of the routes match the
// document's response schemas (objects closed: an undocumented field fails); every $ref resolves.
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type JsonSchema,
  messengerDocument,
  resolveRefs,
  sandboxDocument,
} from "../src/http/openapi/contract.ts";
import type { RegisteredRoute } from "../src/http/plugins/route-table.ts";
import { type ApiResponse, TestApi } from "./helpers/api.ts";
import { assertMatches } from "./helpers/contract-validator.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const PREFIX = "/sandbox/v1";
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

interface DocumentParameter {
  name: string;
  in: string;
  required?: boolean;
  schema: JsonSchema;
}

interface DocumentOperation {
  operationId: string;
  parameters?: DocumentParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}

/** "GET /sandbox/v1/accounts/:user_id/items", the route table's spelling. */
type RouteKey = string;

function documentOperations(): Map<RouteKey, DocumentOperation> {
  const operations = new Map<RouteKey, DocumentOperation>();
  for (const [path, item] of Object.entries(sandboxDocument.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, unknown>)[method];
      if (!operation) continue;
      const url = path.replaceAll(/\{(\w+)\}/g, ":$1");
      operations.set(
        `${method.toUpperCase()} ${url}`,
        resolveRefs(sandboxDocument, operation) as DocumentOperation,
      );
    }
  }
  return operations;
}

/** Words for people (and examples): not part of what a schema accepts. */
const PROSE = new Set(["description", "example", "examples", "title", "summary"]);

function withoutProse(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutProse);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !PROSE.has(key))
      .map(([key, value]) => [
        key,
        key === "properties" ? propertiesWithoutProse(value) : withoutProse(value),
      ]),
  );
}

/** Inside `properties` the keys are field names (a field may be called "description"). */
function propertiesWithoutProse(properties: unknown): unknown {
  return Object.fromEntries(
    Object.entries(properties as Record<string, unknown>).map(([k, v]) => [k, withoutProse(v)]),
  );
}

/**
 * The document's schema says what the route's does: the same, or `allOf` whose first member is
 * the route's (the others add what the domain checks beyond it, e.g. a message's content by type).
 */
function sameSchema(document: JsonSchema | undefined, route: unknown): boolean {
  const clean = withoutProse(document);
  if (isDeepStrictEqual(clean, withoutProse(route))) return true;
  const allOf = (clean as { allOf?: unknown[] } | undefined)?.allOf;
  return Array.isArray(allOf) && isDeepStrictEqual(allOf[0], withoutProse(route));
}

/** The route's params or querystring schema, rebuilt from the document's parameters. */
function parametersAsSchema(operation: DocumentOperation, where: "path" | "query"): JsonSchema {
  const params = (operation.parameters ?? []).filter((p) => p.in === where);
  return {
    properties: Object.fromEntries(params.map((p) => [p.name, withoutProse(p.schema)])),
    required: params
      .filter((p) => p.required)
      .map((p) => p.name)
      .sort(),
  };
}

function routeParameters(schema: unknown): JsonSchema {
  const object = (schema ?? {}) as { properties?: Record<string, unknown>; required?: string[] };
  return {
    properties: Object.fromEntries(
      Object.entries(object.properties ?? {}).map(([k, v]) => [k, withoutProse(v)]),
    ),
    required: [...(object.required ?? [])].sort(),
  };
}

let server: TestServer;
let api: TestApi;
let routes: Map<RouteKey, RegisteredRoute>;
const operations = documentOperations();

beforeAll(async () => {
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
  routes = new Map(
    server.app.registeredRoutes
      .filter((r) => r.method !== "HEAD" && r.url.startsWith(`${PREFIX}/`))
      .map((r) => [`${r.method} ${r.url}`, r]),
  );
});
afterAll(() => server.stop());

describe("the document and the routes", () => {
  test("every route under /sandbox/v1 is documented, and every documented operation is a route", () => {
    expect(routes.size).toBeGreaterThan(10);
    const undocumented = [...routes.keys()].filter((key) => !operations.has(key));
    const missing = [...operations.keys()].filter((key) => !routes.has(key));
    expect({ undocumented, missing }).toEqual({ undocumented: [], missing: [] });
  });

  test("each route's JSON body schema is the document's", () => {
    const differing: string[] = [];
    for (const [key, route] of routes) {
      const operation = operations.get(key);
      const routeBody = route.schema?.body;
      const documentBody = operation?.requestBody?.content["application/json"]?.schema;
      if (routeBody === undefined && documentBody === undefined) continue;
      if (routeBody === undefined) continue; // validated in the domain (or multipart): prose only
      if (!sameSchema(documentBody, routeBody)) differing.push(key);
    }
    expect(differing).toEqual([]);
  });

  test("a body is documented as required exactly when the route refuses a request without one", () => {
    const differing: string[] = [];
    for (const [key, route] of routes) {
      const body = route.schema?.body as { type?: unknown } | undefined;
      const documented = operations.get(key)?.requestBody;
      if (body === undefined || documented === undefined) continue;
      const optional = Array.isArray(body.type) && body.type.includes("null");
      if ((documented.required === true) === optional) differing.push(key);
    }
    expect(differing).toEqual([]);
  });

  test("each route's path and query schemas are the document's parameters", () => {
    const differing: string[] = [];
    for (const [key, route] of routes) {
      const operation = operations.get(key);
      if (!operation) continue;
      for (const [where, schema] of [
        ["path", route.schema?.params],
        ["query", route.schema?.querystring],
      ] as const) {
        const documented = parametersAsSchema(operation, where);
        if (schema === undefined) {
          // A route that reads no parameters of this kind documents none (path ones excepted:
          // a route may match them by its URL alone).
          if (where === "query" && Object.keys(documented.properties as object).length > 0) {
            differing.push(`${key} (query: documented, not in the route's schema)`);
          }
          continue;
        }
        if (!isDeepStrictEqual(documented, routeParameters(schema))) {
          differing.push(`${key} (${where})`);
        }
      }
    }
    expect(differing).toEqual([]);
  });

  test("operationIds are unique and every $ref resolves", () => {
    const ids = [...operations.values()].map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const refs = JSON.stringify(sandboxDocument).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const pointer = ref.slice(8, -1);
      expect(() => resolveRefs(sandboxDocument, { $ref: pointer }), pointer).not.toThrow();
      expect(resolveRefs(sandboxDocument, { $ref: pointer }), pointer).toBeDefined();
    }
  });

  test("a posted message is documented as messenger.json's Messages item", () => {
    const copy = resolveRefs<JsonSchema>(sandboxDocument, {
      $ref: "#/components/schemas/MessengerMessage",
    });
    const original = resolveRefs<JsonSchema>(messengerDocument, {
      $ref: "#/components/schemas/Messages",
    }).items;
    const { description: _copyNote, ...copyRest } = copy as JsonSchema;
    const { description: _originalNote, ...originalRest } = original as JsonSchema;
    expect(copyRest).toEqual(originalRest);
  });
});

/** Validates a route's answer against the document's response schema for its status. */
function expectDocumented(key: RouteKey, response: ApiResponse): void {
  const operation = operations.get(key);
  if (!operation) throw new Error(`${key} is not in the document`);
  const documented = operation.responses[String(response.status)];
  expect(documented, `${key} answered ${response.status}: ${response.text}`).toBeDefined();
  const schema = documented?.content?.["application/json"]?.schema;
  if (schema) assertMatches(`${key} ${response.status}`, schema, response.body);
}

describe("the routes answer what the document says", () => {
  test("accounts, items, chats, messages, the clock, codes and tokens", async () => {
    const check = async (method: string, path: string, template: string, json?: unknown) => {
      const response = await api.sandbox(method, path, json);
      expectDocumented(`${method} ${PREFIX}${template}`, response);
      return response;
    };
    const seller = (
      await check("POST", "/accounts", "/accounts", {
        name: "Продавец",
        redirect_uris: ["http://127.0.0.1:3000/callback"],
      })
    ).body as { user_id: number; client_id: string; client_secret: string };
    const buyer = (await check("POST", "/accounts", "/accounts", { name: "Покупатель" })).body as {
      user_id: number;
    };
    await check(
      "PUT",
      `/accounts/${seller.user_id}/redirect-uris`,
      "/accounts/:user_id/redirect-uris",
      {
        redirect_uris: [],
      },
    );
    const item = (
      await check("POST", `/accounts/${seller.user_id}/items`, "/accounts/:user_id/items", {
        title: "Стул",
        price_string: "1 500 ₽",
        address: "Москва",
        category: { id: 20, name: "Мебель" },
      })
    ).body as { item_id: number };
    await check("POST", `/accounts/${seller.user_id}/items`, "/accounts/:user_id/items", {
      title: "Без цены",
    });
    const chat = (
      await check("POST", "/chats", "/chats", {
        type: "u2i",
        item_id: item.item_id,
        user_id: buyer.user_id,
      })
    ).body as { chat_id: string };
    await check("POST", "/chats", "/chats", {
      type: "u2i",
      item_id: item.item_id,
      user_id: buyer.user_id,
    });
    const chatPath = `/chats/${encodeURIComponent(chat.chat_id)}/messages`;
    await check("POST", chatPath, "/chats/:chat_id/messages", {
      author_id: buyer.user_id,
      type: "text",
      content: { text: "Здравствуйте!" },
    });
    await check("POST", chatPath, "/chats/:chat_id/messages", {
      author_id: seller.user_id,
      type: "location",
      content: { location: { lat: 55.75, lon: 37.62, title: "Склад" } },
    });
    await check("GET", "/accounts", "/accounts");
    await check("GET", "/chats?limit=10", "/chats");
    await check("GET", "/messages?since=0", "/messages");
    await check("GET", "/clock", "/clock");
    await check("POST", "/clock", "/clock", { advance_seconds: 1 });
    await check("POST", "/authorization-codes", "/authorization-codes", {
      client_id: seller.client_id,
      user_id: seller.user_id,
    });
    await check(
      "POST",
      `/accounts/${seller.user_id}/tokens/expire`,
      "/accounts/:user_id/tokens/expire",
    );
    await check("GET", "/webhooks/deliveries", "/webhooks/deliveries");
    // Refusals are documented too.
    await check("POST", "/chats", "/chats", { type: "u2i" });
    await check("POST", "/accounts/999999999/items", "/accounts/:user_id/items", { title: "x" });
  });

  test("fault rules", async () => {
    const check = async (method: string, path: string, template: string, json?: unknown) => {
      const response = await api.sandbox(method, path, json);
      expectDocumented(`${method} ${PREFIX}${template}`, response);
      return response;
    };
    const rule = (
      await check("POST", "/faults", "/faults", { operation: "getChatsV2", status: 429, times: 2 })
    ).body as { id: string };
    await check("GET", "/faults", "/faults");
    await check("DELETE", `/faults/${rule.id}`, "/faults/:id");
    await check("DELETE", "/faults", "/faults");
    await check("POST", "/faults", "/faults", { operation: "noSuchOperation", status: 500 });
  });

  test("fixtures: export, import, reset", async () => {
    const check = async (method: string, path: string, template: string, json?: unknown) => {
      const response = await api.sandbox(method, path, json);
      expectDocumented(`${method} ${PREFIX}${template}`, response);
      return response;
    };
    await check("POST", "/accounts", "/accounts", { name: "Для выгрузки" });
    const world = (await check("GET", "/export?media=false", "/export")).body;
    await check("GET", "/export", "/export");
    await check("POST", "/import", "/import", world);
    await check("POST", "/import?replace=true", "/import", world);
    await check("POST", "/reset", "/reset", { demo: false });
    await check("POST", "/import", "/import", { format: "beseda-fixture", version: 99 });
  });

  test("the console's routes: history, search, voices, read, delete, pause and resume", async () => {
    const check = async (method: string, path: string, template: string, json?: unknown) => {
      const response = await api.sandbox(method, path, json);
      expectDocumented(`${method} ${PREFIX}${template}`, response);
      return response;
    };
    const seller = (await check("POST", "/accounts", "/accounts", { name: "Продавец" })).body as {
      user_id: number;
    };
    const buyer = (await check("POST", "/accounts", "/accounts", { name: "Покупатель" })).body as {
      user_id: number;
    };
    const item = (
      await check("POST", `/accounts/${seller.user_id}/items`, "/accounts/:user_id/items", {
        title: "Шкаф",
      })
    ).body as { item_id: number };
    const chat = (
      await check("POST", "/chats", "/chats", {
        type: "u2i",
        item_id: item.item_id,
        user_id: buyer.user_id,
      })
    ).body as { chat_id: string };
    const chatPath = `/chats/${encodeURIComponent(chat.chat_id)}`;
    const message = (
      await check("POST", `${chatPath}/messages`, "/chats/:chat_id/messages", {
        author_id: buyer.user_id,
        type: "text",
        content: { text: "Шкаф ещё продаётся?" },
      })
    ).body as { id: string };
    await check(
      "GET",
      `/chats?user_id=${seller.user_id}&type=u2i&text=ШКАФ&person=покуп`,
      "/chats",
    );
    await check("GET", `${chatPath}/messages?limit=1`, "/chats/:chat_id/messages");
    await check("GET", `${chatPath}/messages?before=${"0".repeat(32)}`, "/chats/:chat_id/messages");
    await check("GET", "/voices?voice_ids=nope", "/voices");
    await check("GET", "/voices", "/voices");
    await check("POST", `${chatPath}/read`, "/chats/:chat_id/read", { user_id: seller.user_id });
    await check("POST", `${chatPath}/read`, "/chats/:chat_id/read", { user_id: 1 });
    await check("POST", "/chats/u2i-nope/read", "/chats/:chat_id/read", { user_id: 1 });
    const deletePath = `${chatPath}/messages/${message.id}/delete`;
    const deleteTemplate = "/chats/:chat_id/messages/:message_id/delete";
    await check("POST", deletePath, deleteTemplate, { user_id: seller.user_id });
    await check("POST", deletePath, deleteTemplate, { user_id: buyer.user_id });
    await check("POST", `${chatPath}/messages/nope/delete`, deleteTemplate, {
      user_id: buyer.user_id,
    });
    const pause = `/accounts/${seller.user_id}/webhooks/pause`;
    await check("POST", pause, "/accounts/:user_id/webhooks/pause");
    await check("GET", "/accounts", "/accounts");
    await check(
      "POST",
      `/accounts/${seller.user_id}/webhooks/resume`,
      "/accounts/:user_id/webhooks/resume",
    );
    await check("POST", "/accounts/999999999/webhooks/pause", "/accounts/:user_id/webhooks/pause");
  });

  test("without the admin token: 401, as documented", async () => {
    const response = await api.request("GET", `${PREFIX}/clock`);
    expect(response.status).toBe(401);
    expectDocumented(`GET ${PREFIX}/clock`, response);
  });
});
