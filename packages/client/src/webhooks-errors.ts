// What goes wrong on the receiving side. They are not API errors (no operation, no status from
// Avito): a receiver turns a signature error into 401, a payload error into a logged, dropped
// event, a full queue into 503 (Avito retries it later) and reports a handler that ran too long.

/** Why a signature was refused; `missing` usually means the request did not come from Avito. */
export type SignatureProblem = "missing" | "ambiguous" | "malformed" | "mismatch";

/** The request's signature header is missing, malformed, or not the body's HMAC under the secret. */
export class WebhookSignatureError extends Error {
  override readonly name = "WebhookSignatureError";
  readonly problem: SignatureProblem;

  constructor(problem: SignatureProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** The body is signed correctly (or not checked) but is not a v3 message envelope. */
export class WebhookPayloadError extends Error {
  override readonly name = "WebhookPayloadError";
  /** Each field at fault, as `payload.value.chat_id: must be a string`. */
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = []) {
    super(problems.length > 0 ? `${message}: ${problems.join("; ")}` : message);
    this.problems = problems;
  }
}

/** A handler ran past `handlerTimeoutMs`: its signal was aborted, the chat's next event began. */
export class WebhookHandlerTimeoutError extends Error {
  override readonly name = "WebhookHandlerTimeoutError";
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`the webhook handler did not finish within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** An event was refused with 503 because too many were waiting; Avito delivers it again later. */
export class WebhookOverloadError extends Error {
  override readonly name = "WebhookOverloadError";
  /** Which limit was reached: `maxPendingPerChat` or `maxPending`. */
  readonly limit: "maxPendingPerChat" | "maxPending";

  constructor(limit: "maxPendingPerChat" | "maxPending", count: number) {
    super(`${count} webhook events already wait (${limit}): refused with 503 to be retried`);
    this.limit = limit;
  }
}
