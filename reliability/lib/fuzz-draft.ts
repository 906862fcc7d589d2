// A request as the fuzzer thinks of it (a route, values for its parameters, a token, a body) and
// its rendering into the bytes-level request that is sent. Mutations work on drafts, so that each
// one changes one thing and the rest stays valid.
import type { FuzzWorldIndex } from "./fuzz-leaks.ts";
import { buildMultipart, type MultipartPart } from "./fuzz-multipart.ts";
import type { RouteSpec } from "./fuzz-routes.ts";
import type { World, WorldAccount } from "./fuzz-world.ts";

export type DraftBody =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "form"; value: unknown }
  | { kind: "multipart"; parts: MultipartPart[] }
  /** Bytes as they are, with this content type (null: no Content-Type header). */
  | { kind: "raw"; contentType: string | null; bytes: Buffer };

/** Whose token is sent, which decides what the answer may show. */
export type TokenChoice =
  | { kind: "actor"; account: WorldAccount }
  | { kind: "read-only"; account: WorldAccount }
  | { kind: "admin" }
  | { kind: "expired" }
  | { kind: "none" }
  /**
   * A header that is no valid token as sent (garbage, another scheme, two headers). `honoured`:
   * the token a server that keeps the first of two Authorization headers acts on.
   */
  | { kind: "bad"; header: string | string[]; honoured?: TokenChoice };

export interface Draft {
  route: RouteSpec;
  method: string;
  /** Path values, already encoded for the URL. */
  pathValues: Record<string, string>;
  /** Query parameters, each already encoded as "name=value". */
  query: string[];
  token: TokenChoice;
  body: DraftBody;
  headers: Record<string, string | string[]>;
  /** What was changed from a valid request; empty for a valid one. */
  mutations: string[];
  /** The path itself, when a mutation replaced the route's template. */
  pathOverride?: string;
}

export interface HttpCase {
  kind: "http";
  route: RouteSpec | null;
  /** The route aimed at, for counting (route, status) pairs. */
  label: string;
  variant: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: Buffer | null;
  /** Why a 2xx would hand out what this caller may not see; null when a 2xx is fine. */
  mustRefuse: string | null;
  /** The account of the valid messenger token sent, for the leak scan. */
  actorId: number | null;
}

/** A lone surrogate (half of a UTF-16 pair): encodeURIComponent throws on it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** encodeURIComponent for any string: a lone surrogate becomes %ED%A0%80, bytes no UTF-8 decodes. */
export function encodeComponent(value: string): string {
  return value.split(LONE_SURROGATE).map(encodeURIComponent).join("%ED%A0%80");
}

function encodeForm(value: unknown): string {
  const params = new URLSearchParams();
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) {
      for (const item of Array.isArray(v) ? v : [v]) {
        params.append(key, typeof item === "string" ? item : (JSON.stringify(item) ?? ""));
      }
    }
  } else {
    return JSON.stringify(value) ?? "";
  }
  return params.toString();
}

function renderBody(body: DraftBody): { bytes: Buffer | null; contentType: string | null } {
  switch (body.kind) {
    case "none":
      return { bytes: null, contentType: null };
    case "json":
      return {
        bytes: Buffer.from(JSON.stringify(body.value) ?? "null"),
        contentType: "application/json",
      };
    case "form":
      return {
        bytes: Buffer.from(encodeForm(body.value)),
        contentType: "application/x-www-form-urlencoded",
      };
    case "multipart": {
      const { body: bytes, boundary } = buildMultipart(body.parts);
      return { bytes, contentType: `multipart/form-data; boundary=${boundary}` };
    }
    case "raw":
      return { bytes: body.bytes, contentType: body.contentType };
  }
}

function authorization(token: TokenChoice, world: World): string | string[] | null {
  switch (token.kind) {
    case "actor":
      return `Bearer ${token.account.token}`;
    case "read-only":
      return `Bearer ${world.readOnlyToken}`;
    case "admin":
      return `Bearer ${world.adminToken}`;
    case "expired":
      return `Bearer ${world.expiredToken}`;
    case "none":
      return null;
    case "bad":
      return token.header;
  }
}

function honouredToken(token: TokenChoice): TokenChoice {
  return token.kind === "bad" && token.honoured ? token.honoured : token;
}

function decoded(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Why a 2xx to this draft would be a leak: the caller may not act on what it names. */
function refusalReason(draft: Draft, index: FuzzWorldIndex): string | null {
  const { route } = draft;
  const token = honouredToken(draft.token);
  if (route.auth === "admin" && token.kind !== "admin")
    return `the sandbox answered a ${token.kind} token`;
  if (route.auth !== "messenger") return null;
  if (token.kind !== "actor" && token.kind !== "read-only")
    return `the messenger API answered a ${token.kind} token`;
  if (token.kind === "read-only" && route.scope !== null && route.scope !== "messenger:read") {
    return `a messenger:read token did what needs ${route.scope}`;
  }
  const userId = decoded(draft.pathValues.user_id);
  if (userId !== undefined && /^\d+$/.test(userId) && Number(userId) !== token.account.userId) {
    return `the token of ${token.account.userId} acted for ${userId}`;
  }
  const chatId = decoded(draft.pathValues.chat_id);
  if (chatId !== undefined && index.isForeignChat(chatId, token.account.userId)) {
    return `${token.account.userId} reached chat ${chatId}, which is not theirs`;
  }
  const imageId =
    draft.body.kind === "json"
      ? (draft.body.value as { image_id?: unknown } | null)?.image_id
      : undefined;
  if (typeof imageId === "string" && index.isForeignImage(imageId, token.account.userId)) {
    return `${token.account.userId} sent image ${imageId} of another account`;
  }
  return null;
}

export function render(draft: Draft, world: World, index: FuzzWorldIndex): HttpCase {
  const template = draft.pathOverride ?? draft.route.path;
  const path = template.replaceAll(/\{(\w+)\}/g, (_, name: string) => draft.pathValues[name] ?? "");
  const query =
    draft.query.length > 0 ? `${path.includes("?") ? "&" : "?"}${draft.query.join("&")}` : "";
  const { bytes, contentType } = renderBody(draft.body);
  const headers: Record<string, string | string[]> = {};
  const auth = authorization(draft.token, world);
  if (auth !== null) headers.authorization = auth;
  if (contentType !== null) headers["content-type"] = contentType;
  Object.assign(headers, draft.headers);
  const token = honouredToken(draft.token);
  const actor = token.kind === "actor" || token.kind === "read-only" ? token.account.userId : null;
  return {
    kind: "http",
    route: draft.route,
    label: draft.route.label,
    variant: draft.mutations.length === 0 ? "valid" : draft.mutations.join("; "),
    method: draft.method,
    path: `${path}${query}`,
    headers,
    body: bytes,
    mustRefuse: refusalReason(draft, index),
    actorId: draft.route.family === "messenger" ? actor : null,
  };
}
