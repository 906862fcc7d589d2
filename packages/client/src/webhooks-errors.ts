// The two ways a webhook request is refused. They are not API errors (no operation, no status
// from Avito): a receiver turns the first into 401 and the second into a logged, dropped event.

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
