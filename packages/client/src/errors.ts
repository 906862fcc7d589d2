// The SDK's error catalogue: one class per cause, chosen from the HTTP status and the body, so
// callers branch with `instanceof` instead of parsing messages. Every error carries the status
// (undefined when no answer came), the parsed body and the operationId that failed.
// Owns classification only; whether to retry is decided in retry-policy.ts.

export interface AvitoErrorInit {
  operation: string;
  status?: number | undefined;
  body?: unknown;
  headers?: Headers | undefined;
  cause?: unknown;
}

/** Base class of every error the client throws for a call. */
export class AvitoError extends Error {
  override name = "AvitoError";
  /** The operationId that failed (`getChatsV2`, `getAccessToken`…). */
  readonly operation: string;
  /** HTTP status; undefined when the request never got an answer. */
  readonly status: number | undefined;
  /** The answer's body, parsed as JSON when it was JSON, else its text. */
  readonly body: unknown;
  /** The answer's headers, when there was an answer. */
  readonly headers: Headers | undefined;

  constructor(message: string, init: AvitoErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.operation = init.operation;
    this.status = init.status;
    this.body = init.body;
    this.headers = init.headers;
  }
}

/** 401, or production's 403 for a missing, invalid or expired token; also a refused grant. */
export class AvitoAuthenticationError extends AvitoError {
  override name = "AvitoAuthenticationError";
}

/** 403 for anything but the token: another account's resource, a scope the token lacks. */
export class AvitoPermissionError extends AvitoError {
  override name = "AvitoPermissionError";
}

/** 404: an unknown chat, message or path, or a chat the account is not in. */
export class AvitoNotFoundError extends AvitoError {
  override name = "AvitoNotFoundError";
}

/** 400 (and 413, 422): the request was refused as it is; `fields` names what is wrong. */
export class AvitoValidationError extends AvitoError {
  override name = "AvitoValidationError";
  /** Field name → what is wrong with it, as the server listed them (empty when it did not). */
  readonly fields: Record<string, string>;

  constructor(message: string, init: AvitoErrorInit & { fields: Record<string, string> }) {
    super(message, init);
    this.fields = init.fields;
  }
}

/** 429: too many requests; `retryAfterMs` is how long the server asked to wait. */
export class AvitoRateLimitError extends AvitoError {
  override name = "AvitoRateLimitError";
  readonly retryAfterMs: number | undefined;

  constructor(message: string, init: AvitoErrorInit & { retryAfterMs: number | undefined }) {
    super(message, init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 402: the account has no paid tariff for the Messenger API. */
export class AvitoTariffError extends AvitoError {
  override name = "AvitoTariffError";
}

/** 5xx: the server failed; a write may or may not have happened. */
export class AvitoServerError extends AvitoError {
  override name = "AvitoServerError";
}

/** No answer: DNS, refused or cut connection, or the client's timeout. */
export class AvitoConnectionError extends AvitoError {
  override name = "AvitoConnectionError";
  /** The client's own timeout ran out: the server may still be working on the request. */
  readonly timedOut: boolean;
  /**
   * The request certainly never reached the server (DNS failure, connection refused): nothing
   * was done. False when it may have been sent (a reset, a cut, a timeout).
   */
  readonly notSent: boolean;

  constructor(message: string, init: AvitoErrorInit & { timedOut?: boolean; notSent?: boolean }) {
    super(message, init);
    this.timedOut = init.timedOut ?? false;
    this.notSent = init.notSent ?? false;
  }
}

/**
 * A send's answer was lost and the client cannot tell whether the message was stored: the chat
 * could not be read, or it holds a message of ours that may be this one but cannot be told apart
 * (an image whose URLs do not name its image id). The message may or may not be in the chat;
 * `cause` is the send's own error. Look at the chat before sending it again.
 */
export class AvitoSendUnverifiedError extends AvitoError {
  override name = "AvitoSendUnverifiedError";
}

/**
 * A refresh_token or authorization_code grant got no usable answer (5xx, timeout, cut
 * connection) after it may have reached the server. These grants are single-use, so the client
 * does not send them again: the server may have spent the refresh token (or code) and issued
 * tokens nobody received. `cause` is the grant's own error. A later call tries the refresh again
 * (it works if the token was not spent); if it is refused, the seller must consent again.
 */
export class AvitoGrantLostError extends AvitoError {
  override name = "AvitoGrantLostError";
}

/** The message an error body carries, in any of the API's envelopes. */
function messageOf(body: unknown): string | undefined {
  if (typeof body === "string") return body.slice(0, 200) || undefined;
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === "object" && error !== null) {
    const message = (error as Record<string, unknown>).message;
    if (typeof message === "string") return message;
  }
  // OAuth's envelope on /token: {"error":"invalid_grant","error_description":"…"}
  if (typeof error === "string") {
    const description = record.error_description;
    return typeof description === "string" ? `${error}: ${description}` : error;
  }
  const result = record.result;
  if (typeof result === "object" && result !== null) {
    const message = (result as Record<string, unknown>).message;
    if (typeof message === "string") return message;
  }
  return undefined;
}

/**
 * True for production's answer to a bad bearer token: 403 with
 * `{"result":{"status":false,"message":"invalid access token" | "access token expired"}}`.
 */
export function isTokenRejection(status: number, body: unknown): boolean {
  if (status === 401) return true;
  if (status !== 403 || typeof body !== "object" || body === null) return false;
  const result = (body as Record<string, unknown>).result;
  if (typeof result !== "object" || result === null) return false;
  const message = (result as Record<string, unknown>).message;
  return typeof message === "string" && /access token/i.test(message);
}

function fieldsOf(body: unknown): Record<string, string> {
  const error = (body as { error?: { fields?: unknown } } | null)?.error;
  const fields = typeof error === "object" && error !== null ? error.fields : undefined;
  if (typeof fields !== "object" || fields === null) return {};
  return Object.fromEntries(
    Object.entries(fields).map(([name, why]) => [
      name,
      typeof why === "string" ? why : JSON.stringify(why),
    ]),
  );
}

/** Milliseconds from a Retry-After header: delta-seconds or an HTTP date. */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** The error for an answer that was not 2xx. */
export function errorForResponse(
  operation: string,
  status: number,
  body: unknown,
  headers: Headers,
  nowMs: number,
): AvitoError {
  const init = { operation, status, body, headers };
  const message = `${operation}: ${status}${messageOf(body) ? ` ${messageOf(body)}` : ""}`;
  if (isTokenRejection(status, body)) return new AvitoAuthenticationError(message, init);
  // /token refuses a spent refresh token or a wrong code with 400 invalid_grant: nothing the
  // caller can fix by changing fields; it must sign in again.
  if (operation === "getAccessToken" && (status === 400 || status === 401)) {
    const code = (body as { error?: unknown } | null)?.error;
    if (status === 401 || code === "invalid_grant" || code === "invalid_client")
      return new AvitoAuthenticationError(message, init);
  }
  if (status === 403) return new AvitoPermissionError(message, init);
  if (status === 402) return new AvitoTariffError(message, init);
  if (status === 404) return new AvitoNotFoundError(message, init);
  if (status === 400 || status === 413 || status === 422)
    return new AvitoValidationError(message, { ...init, fields: fieldsOf(body) });
  if (status === 429)
    return new AvitoRateLimitError(message, {
      ...init,
      retryAfterMs: retryAfterMs(headers, nowMs),
    });
  if (status >= 500) return new AvitoServerError(message, init);
  return new AvitoError(message, init);
}
