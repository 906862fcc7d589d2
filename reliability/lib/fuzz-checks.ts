// The checks on every answer. Four kinds of violation, each an invariant of the run:
// - "5xx": any status of 500 or more;
// - "envelope": a 4xx/5xx whose body is not JSON in the envelope of where it was sent: the API's
//   {"error":{"code":<the status>,"message","fields"?}} everywhere; on the messenger API also
//   production's 403 {"result":{"status":false,"message"}} for a bad token; on /token (GET and
//   POST) OAuth's {"error","error_description"}, but for errors of the HTTP layer, answered before
//   any route is known (400, 408, 431, with the connection closed). A HEAD answer and a 304 carry no body and are
//   judged by status alone. /media and the public pages are links handed out by the API, so their
//   errors are the API's envelope too; the one exception is a 416 on /media, which answers a Range
//   header and carries `Content-Range: bytes */<size>` instead of a body (RFC 9110 §15.5.17);
// - "invalid 2xx": a 2xx that does not match its document (messenger.json, auth.json, user.json,
//   items.json, sandbox.json), or the content type of what a link points at;
// - "leak": a 2xx to a caller that must be refused, or one showing another account's data.
import {
  assertMatches,
  assertOperationResponse,
} from "../../packages/server/test/helpers/contract-validator.ts";
import type { HttpCase } from "./fuzz-draft.ts";
import type { FuzzWorldIndex } from "./fuzz-leaks.ts";
import {
  CORE_ROUTES,
  MESSENGER_ROUTES,
  type RouteSpec,
  SANDBOX_ROUTES,
  TOKEN_ROUTES,
} from "./fuzz-routes.ts";
import type { Answer } from "./fuzz-send.ts";

export type ViolationKind = "5xx" | "envelope" | "invalid 2xx" | "leak";

export interface Violation {
  kind: ViolationKind;
  /** What is wrong, in a few words: the grouping key of the report. */
  what: string;
}

function header(answer: Answer, name: string): string {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? "");
}

function parseJson(answer: Answer): { ok: true; value: unknown } | { ok: false; why: string } {
  const type = header(answer, "content-type");
  if (!/^application\/json/i.test(type)) {
    return {
      ok: false,
      why: answer.body.length === 0 ? "no body" : `not JSON (${type || "no content type"})`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(answer.body.toString("utf8")) };
  } catch {
    return { ok: false, why: "a JSON content type on a body that is not JSON" };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(value).every((k) => allowed.includes(k));
}

function isApiEnvelope(body: unknown, status: number): boolean {
  if (!isRecord(body) || !onlyKeys(body, ["error"]) || !isRecord(body.error)) return false;
  const { code, message, fields } = body.error;
  return (
    onlyKeys(body.error, ["code", "message", "fields"]) &&
    code === status &&
    typeof message === "string" &&
    (fields === undefined || isRecord(fields))
  );
}

function isTokenError(body: unknown, status: number): boolean {
  if (status !== 403 || !isRecord(body) || !onlyKeys(body, ["result"]) || !isRecord(body.result))
    return false;
  return (
    onlyKeys(body.result, ["status", "message"]) &&
    body.result.status === false &&
    typeof body.result.message === "string"
  );
}

function isOAuthError(body: unknown): boolean {
  return (
    isRecord(body) &&
    onlyKeys(body, ["error", "error_description"]) &&
    typeof body.error === "string" &&
    typeof body.error_description === "string"
  );
}

/** Where the answer came from, by its path: the envelope depends on it. */
export function areaOf(method: string, path: string): "messenger" | "token" | "media" | "other" {
  const pathname = path.split(/[?#]/)[0] ?? path;
  // The calls around the messenger (/core/v1) answer bad tokens as the messenger does.
  if (pathname.startsWith("/messenger/") || pathname.startsWith("/core/")) return "messenger";
  if (/^\/token\/?$/.test(pathname) && (method === "GET" || method === "POST")) return "token";
  if (pathname.startsWith("/media/")) return "media";
  return "other";
}

/** The envelope check of a 4xx/5xx; null when it holds. */
export function envelopeProblem(method: string, path: string, answer: Answer): string | null {
  if (method === "HEAD" || answer.status === 304) return null;
  const area = areaOf(method, path);
  if (area === "media" && answer.status === 416) {
    return /^bytes \*\/\d+$/.test(header(answer, "content-range"))
      ? null
      : "a 416 without Content-Range";
  }
  const parsed = parseJson(answer);
  if (!parsed.ok) return parsed.why;
  const body = parsed.value;
  if (area === "token") {
    if (isOAuthError(body) || isHttpLayerError(answer, body)) return null;
    return `not OAuth's envelope: ${shapeOf(body)}`;
  }
  if (isApiEnvelope(body, answer.status)) return null;
  if (area === "messenger" && isTokenError(body, answer.status)) return null;
  return `not the envelope: ${shapeOf(body)}`;
}

/**
 * An error of the HTTP layer, answered before any route is known (a request Node could not parse,
 * headers too large, a timeout): the API's envelope on every path, the connection closed.
 */
function isHttpLayerError(answer: Answer, body: unknown): boolean {
  return (
    [400, 408, 431].includes(answer.status) &&
    header(answer, "connection").toLowerCase() === "close" &&
    isApiEnvelope(body, answer.status)
  );
}

/** The keys of a body, for grouping findings: {"error","code","message","statusCode"}. */
function shapeOf(body: unknown): string {
  if (!isRecord(body)) return JSON.stringify(body)?.slice(0, 40) ?? "undefined";
  const inner = Object.entries(body).map(([k, v]) =>
    isRecord(v) ? `${k}:{${Object.keys(v).join(",")}}` : k,
  );
  return `{${inner.join(",")}}`;
}

const ALL_ROUTES = [...MESSENGER_ROUTES, ...CORE_ROUTES, ...TOKEN_ROUTES, ...SANDBOX_ROUTES];

/** Routes by method and path template: a method mutation may land on a sibling route. */
const ROUTES_BY_METHOD_AND_PATH = new Map(ALL_ROUTES.map((r) => [`${r.method} ${r.path}`, r]));

/** A route's path template as a pattern of the paths it serves (a trailing slash is ignored). */
const ROUTE_PATTERNS = ALL_ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replaceAll(/\{\w+\}/g, "[^/]+")}/*$`),
}));

/**
 * The route that served `path`, when a path mutation moved the request onto another route (a
 * dropped last segment turns getChatByIdV2 into getChatsV2); else the route aimed at.
 */
function routeServing(aimed: RouteSpec, method: string, path: string): RouteSpec | undefined {
  const pathname = path.split(/[?#]/)[0] ?? path;
  const aimedPattern = ROUTE_PATTERNS.find((p) => p.route === aimed)?.pattern;
  if (method === aimed.method && (!aimedPattern || aimedPattern.test(pathname))) return aimed;
  const served = ROUTE_PATTERNS.find((p) => p.route.method === method && p.pattern.test(pathname));
  if (served) return served.route;
  return method === aimed.method ? aimed : ROUTES_BY_METHOD_AND_PATH.get(`${method} ${aimed.path}`);
}

function successProblem(
  aimed: RouteSpec,
  method: string,
  path: string,
  answer: Answer,
): string | null {
  if (method === "HEAD") return null;
  const route = routeServing(aimed, method, path);
  if (!route) return `a ${answer.status} to ${method}, a method the route does not have`;
  const rule = route.success;
  if (rule.kind === "content") {
    if (answer.status === 304) return null;
    if (answer.status === 206 && !/^bytes \d+-\d+\/\d+$/.test(header(answer, "content-range")))
      return "a 206 without Content-Range";
    return rule.type.test(header(answer, "content-type"))
      ? null
      : `content type ${header(answer, "content-type")}`;
  }
  const parsed = parseJson(answer);
  if (!parsed.ok) return parsed.why;
  try {
    if (rule.kind === "operation") {
      if (answer.status !== 200) return `status ${answer.status}, the document has 200`;
      assertOperationResponse(rule.operationId, parsed.value);
    } else {
      if (!rule.statuses.includes(answer.status))
        return `status ${answer.status}, expected ${rule.statuses.join(" or ")}`;
      assertMatches(route.label, rule.schema, parsed.value);
    }
  } catch (error) {
    // The validator's first problem: "/0/id must be string …".
    return (error as Error).message.split("\n")[1]?.trim() ?? "does not match";
  }
  return null;
}

/** Every violation in one answer to an HTTP case. */
export function judge(c: HttpCase, answer: Answer, index: FuzzWorldIndex): Violation[] {
  const violations: Violation[] = [];
  const { status } = answer;
  if (status >= 500) violations.push({ kind: "5xx", what: `${status}` });
  if (status >= 400) {
    const problem = envelopeProblem(c.method, c.path, answer);
    if (problem) violations.push({ kind: "envelope", what: problem });
    return violations;
  }
  if (status < 200 || status >= 300) return violations;
  if (c.route === null) {
    violations.push({ kind: "invalid 2xx", what: `a ${status} on an unknown path` });
    return violations;
  }
  const problem = successProblem(c.route, c.method, c.path, answer);
  if (problem) violations.push({ kind: "invalid 2xx", what: problem });
  if (c.mustRefuse) violations.push({ kind: "leak", what: c.mustRefuse });
  if (c.actorId !== null && c.method !== "HEAD") {
    const parsed = parseJson(answer);
    const foreign = parsed.ok ? index.foreignDataIn(parsed.value, c.actorId) : [];
    if (foreign.length > 0)
      violations.push({
        kind: "leak",
        what: `${c.actorId} was shown ${foreign.slice(0, 3).join(", ")}`,
      });
  }
  return violations;
}

/** Keeps the world index current: chats and messages the sandbox and the API create. */
export function learn(c: HttpCase, answer: Answer, index: FuzzWorldIndex): void {
  if (answer.status < 200 || answer.status >= 300 || c.route === null || c.method === "HEAD")
    return;
  const parsed = parseJson(answer);
  if (!parsed.ok || !isRecord(parsed.value)) return;
  const body = parsed.value;
  if (typeof body.chat_id === "string" && Array.isArray(body.user_ids)) {
    index.addChat(
      body.chat_id,
      body.user_ids.filter((u): u is number => typeof u === "number"),
    );
  }
  const chatId = /\/chats\/([^/?]+)\/messages/.exec(c.path)?.[1];
  if (typeof body.id === "string" && chatId !== undefined) {
    try {
      index.addMessage(body.id, decodeURIComponent(chatId));
    } catch {
      // A path that does not decode named no chat.
    }
  }
}
