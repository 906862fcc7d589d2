// Calls to Beseda's sandbox API from the signed-in console, typed by the served sandbox document.
// The session cookie authenticates them; X-Beseda-Console marks them as the console's own (the
// server refuses a cookie-signed change without it, so another page of this site cannot forge one).
import type { paths } from "@beseda/contract/types/sandbox";

type Method = "get" | "post" | "put" | "delete";

/** The JSON body of an operation's first 2xx answer. */
type Success<Op> = Op extends { responses: infer R }
  ? R extends { 200: { content: { "application/json": infer J } } }
    ? J
    : R extends { 201: { content: { "application/json": infer J } } }
      ? J
      : R extends { 202: { content: { "application/json": infer J } } }
        ? J
        : undefined
  : never;

type Operation<P extends keyof paths, M extends Method> = paths[P][M];

type Params<Op> = Op extends { parameters: infer Q } ? Q : never;
type PathParams<Op> = Params<Op> extends { path?: infer X } ? X : never;
type QueryParams<Op> = Params<Op> extends { query?: infer X } ? X : never;
type JsonBody<Op> = Op extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;

export interface CallOptions<Op> {
  path?: PathParams<Op>;
  query?: QueryParams<Op>;
  /** A Blob (a chosen file) is sent as it is, as JSON: large documents are never parsed here. */
  body?: JsonBody<Op> | FormData | Blob;
  signal?: AbortSignal;
}

/** An answer outside 2xx, with the envelope's message and field errors when it had them. */
export class ApiError extends Error {
  readonly status: number;
  readonly fields: Record<string, string>;

  constructor(status: number, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fields = fields;
  }
}

/** Called when an answer says the session is gone (401): the app shows the sign-in form. */
let onSignedOut: () => void = () => {};
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

/** The session is gone (an answer or the event stream said so). */
export function signedOut(): void {
  onSignedOut();
}

function url(template: string, path: object | undefined, query: object | undefined): string {
  const filled = template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(String((path as Record<string, unknown> | undefined)?.[name] ?? "")),
  );
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  const text = search.toString();
  return text ? `${filled}?${text}` : filled;
}

export async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as {
      error?: { message?: string; fields?: Record<string, string> };
    };
    if (parsed.error?.message) {
      return new ApiError(response.status, parsed.error.message, parsed.error.fields ?? {});
    }
  } catch {
    // Not the envelope (a proxy's page, say): say what came back.
  }
  return new ApiError(response.status, `${response.status} ${response.statusText}`.trim());
}

/**
 * Sends a request with the console's cookie and header; a 2xx answer comes back as it is, any
 * other is thrown as an ApiError (and a 401 signs the console out).
 */
async function send(method: string, target: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { "X-Beseda-Console": "1", Accept: "application/json" };
  const init: RequestInit = { method: method.toUpperCase(), credentials: "same-origin", headers };
  if (body instanceof FormData) init.body = body;
  else if (body instanceof Blob) {
    init.body = body;
    headers["Content-Type"] = "application/json";
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(target, init);
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401) signedOut();
    throw error;
  }
  return response;
}

/** GETs a document as it comes, unparsed (the world's export can be hundreds of MB). */
export async function download(target: string): Promise<Blob> {
  return (await send("get", target)).blob();
}

/** Sends a request with the console's cookie and header; resolves to the parsed JSON answer. */
export async function request<T>(method: string, target: string, body?: unknown): Promise<T> {
  const response = await send(method, target, body);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get("content-type") ?? "";
  return (type.includes("json") ? await response.json() : await response.text()) as T;
}

/**
 * One sandbox API call, typed by its path and method in the sandbox document:
 * `call("get", "/sandbox/v1/chats", { query: { user_id: 7 } })`.
 */
export function call<P extends keyof paths, M extends Method & keyof paths[P]>(
  method: M,
  path: P,
  options: CallOptions<Operation<P, M>> = {},
): Promise<Success<Operation<P, M>>> {
  return request(method, url(path, options.path as object, options.query as object), options.body);
}
