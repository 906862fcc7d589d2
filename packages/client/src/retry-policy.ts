// When a failed attempt is tried again and after how long. Reads retry freely; sends are
// retried only after send-verify.ts found the message was not stored, and single-use grants
// only when nothing was done (the client decides those). Knows the error classes, not HTTP.
import {
  AvitoConnectionError,
  type AvitoError,
  AvitoRateLimitError,
  AvitoServerError,
} from "./errors.ts";

export type RetryReason = "rate-limit" | "server" | "connection";

export interface RetryEvent {
  operation: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  /**
   * How long the client waits before the next attempt. For a send whose answer was lost the
   * event comes after that wait and the chat's check, just before sending again.
   */
  delayMs: number;
  reason: RetryReason;
  error: AvitoError;
  /** For sends: the chat was checked and did not hold the message, so it is sent again. */
  verified?: boolean;
}

export interface BackoffOptions {
  /** First retry waits up to this long (full jitter). Default 500 ms. */
  baseMs?: number;
  /** No wait is longer than this, Retry-After excepted. Default 30 s. */
  capMs?: number;
}

/** Why an error may be retried, or undefined when it may not. */
export function retryReason(error: AvitoError): RetryReason | undefined {
  if (error instanceof AvitoRateLimitError) return "rate-limit";
  // 501 Not Implemented and 505 will not change on a second try.
  if (error instanceof AvitoServerError)
    return error.status === 501 || error.status === 505 ? undefined : "server";
  if (error instanceof AvitoConnectionError) return "connection";
  return undefined;
}

/**
 * Exponential backoff with full jitter (a random wait between 0 and base·2^(retry-1), capped),
 * which spreads many clients' retries instead of synchronising them; a server's Retry-After is
 * a floor the jitter never goes under.
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions,
  random: () => number,
): number {
  const base = options.baseMs ?? 500;
  const cap = options.capMs ?? 30_000;
  const ceiling = Math.min(cap, base * 2 ** (retry - 1));
  const jittered = Math.round(random() * ceiling);
  if (retryAfterMs === undefined) return jittered;
  // A little spread after the server's wait, so waiters do not return in one burst.
  return Math.round(retryAfterMs + random() * Math.min(250, retryAfterMs * 0.1));
}
