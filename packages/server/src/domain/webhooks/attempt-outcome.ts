// What an ended attempt means for its delivery, decided without the store, the network or the
// system clock: delivered (only a 200 counts, production's rule), or tried again at a time taken
// from the retry schedule (jittered, a longer Retry-After winning; see retry-policy.ts), or failed
// for good when that time falls past the give-up time, counted from the delivery's window start.
import { parseRetryAfter, type RetrySettings, retryDelayMs } from "./retry-policy.ts";
import type { PostResult } from "./transport.ts";

export type AttemptOutcome =
  | { kind: "delivered" }
  /** Tried again at `atMs`, one step further along the schedule. */
  | { kind: "retry"; atMs: number; step: number }
  /** Given up: the retry at `atMs` would have fallen past the give-up time. */
  | { kind: "failed"; atMs: number; step: number };

export interface AttemptOutcomeInput {
  /** What the receiver answered (a fault rule's answer, if one decided it). */
  result: Pick<PostResult, "statusCode" | "retryAfter">;
  /** The delivery's retry step before this attempt, and when its current window began. */
  step: number;
  windowStartMs: number;
  retry: RetrySettings;
  /** When the attempt ended: Retry-After dates are read on it, and the retry counts from it. */
  nowMs: number;
  /** A number in [0, 1) for the jitter. */
  random: () => number;
}

export function attemptOutcome(input: AttemptOutcomeInput): AttemptOutcome {
  const { result, step, windowStartMs, retry, nowMs, random } = input;
  if (result.statusCode === 200) return { kind: "delivered" };
  const retryAfter = parseRetryAfter(result.retryAfter, nowMs);
  const atMs = nowMs + retryDelayMs(retry, step, retryAfter, random);
  const givesUp = atMs - windowStartMs > retry.giveUpAfterSeconds * 1000;
  return { kind: givesUp ? "failed" : "retry", atMs, step: step + 1 };
}
