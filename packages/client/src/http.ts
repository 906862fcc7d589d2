// One HTTP exchange: builds the request, applies the timeout, reads and parses the answer. A
// failure to get a complete answer (DNS, refused, reset, timeout, cut mid-body) becomes an
// AvitoConnectionError; an abort by the caller's own signal is rethrown as it is. No retries,
// no tokens, no classification of statuses: the client does those.
import { either } from "./abortable.ts";
import { AvitoConnectionError } from "./errors.ts";

export interface HttpRequest {
  operation: string;
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string | FormData | URLSearchParams | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** JSON when the answer was JSON, else its text; undefined when empty. */
  body: unknown;
}

export async function exchange(fetchImpl: typeof fetch, request: HttpRequest): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? either(request.signal, timeout) : timeout;
  try {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? null,
      signal,
      redirect: "error",
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parse(text, response) };
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    const timedOut = timeout.aborted;
    const why = timedOut
      ? `no answer within ${request.timeoutMs} ms`
      : error instanceof Error
        ? describe(error)
        : String(error);
    throw new AvitoConnectionError(`${request.operation}: ${why}`, {
      operation: request.operation,
      cause: error,
      timedOut,
      notSent: !timedOut && neverSent(error),
    });
  }
}

/** Failures that happen before a connection exists, so the request cannot have been sent. */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function neverSent(error: unknown): boolean {
  // fetch wraps the socket's error (undici: TypeError "fetch failed" with the code in `cause`).
  let link: unknown = error;
  for (let depth = 0; depth < 4 && link instanceof Error; depth++) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === "string" && NOT_SENT_CODES.has(code)) return true;
    link = link.cause;
  }
  return false;
}

function parse(text: string, response: Response): unknown {
  if (text === "") return undefined;
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json") || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** fetch's "fetch failed" hides the useful part (ECONNRESET, "other side closed") in `cause`. */
function describe(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message} (${typeof code === "string" ? `${code}: ` : ""}${cause.message})`;
  }
  return error.message;
}
