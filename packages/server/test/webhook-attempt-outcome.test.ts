// The pure decision the dispatcher takes after each attempt: delivered, retry at a time, or failed.
import { describe, expect, test } from "vitest";
import {
  type AttemptOutcome,
  type AttemptOutcomeInput,
  attemptOutcome,
} from "../src/domain/webhooks/attempt-outcome.ts";

const NOW = 1_800_000_000_000;
const retry = { schedule: [1, 10, 60], giveUpAfterSeconds: 3600 };
/** The middle of the jitter range: exactly the scheduled wait. */
const noJitter = () => 0.5;

function outcome(over: Partial<AttemptOutcomeInput> & Pick<AttemptOutcomeInput, "result">) {
  return attemptOutcome({
    step: 0,
    windowStartMs: NOW,
    retry,
    nowMs: NOW,
    random: noJitter,
    ...over,
  });
}

/** When the retry is (or would have been) made. */
function atMsOf(o: AttemptOutcome): number {
  if (o.kind === "delivered") throw new Error("delivered");
  return o.atMs;
}

const answer = (statusCode: number | null, retryAfter?: string) => ({ statusCode, retryAfter });

describe("attemptOutcome", () => {
  test("a 200 is delivered, whatever the step or the window", () => {
    expect(outcome({ result: answer(200) })).toEqual({ kind: "delivered" });
    expect(outcome({ result: answer(200), step: 9, windowStartMs: 0 })).toEqual({
      kind: "delivered",
    });
  });

  test("only 200 counts: another 2xx is retried", () => {
    for (const status of [201, 202, 204]) {
      expect(outcome({ result: answer(status) })).toEqual({
        kind: "retry",
        atMs: NOW + 1000,
        step: 1,
      });
    }
  });

  test("a 4xx or a 5xx is retried after the step's wait, one step further", () => {
    for (const status of [400, 404, 410, 500, 503]) {
      expect(outcome({ result: answer(status), step: 1 })).toEqual({
        kind: "retry",
        atMs: NOW + 10_000,
        step: 2,
      });
    }
  });

  test("a network error (no status) is retried", () => {
    expect(outcome({ result: answer(null) })).toEqual({ kind: "retry", atMs: NOW + 1000, step: 1 });
  });

  test("the last wait of the schedule repeats", () => {
    for (const step of [2, 3, 7]) {
      expect(outcome({ result: answer(500), step })).toEqual({
        kind: "retry",
        atMs: NOW + 60_000,
        step: step + 1,
      });
    }
  });

  test("an empty schedule waits one second", () => {
    expect(
      outcome({ result: answer(500), retry: { schedule: [], giveUpAfterSeconds: 3600 } }),
    ).toEqual({ kind: "retry", atMs: NOW + 1000, step: 1 });
  });

  test("a 429 with a Retry-After longer than the schedule's wait waits the Retry-After", () => {
    expect(outcome({ result: answer(429, "120") })).toEqual({
      kind: "retry",
      atMs: NOW + 120_000,
      step: 1,
    });
    // Not jittered: the receiver's wait is kept as it is, even at the top of the jitter.
    expect(atMsOf(outcome({ result: answer(429, "120"), random: () => 0.999 }))).toBe(
      NOW + 120_000,
    );
  });

  test("a Retry-After shorter than the schedule's wait changes nothing", () => {
    expect(outcome({ result: answer(429, "5"), step: 2 })).toEqual({
      kind: "retry",
      atMs: NOW + 60_000,
      step: 3,
    });
  });

  test("a Retry-After as an HTTP date is read on the attempt's end", () => {
    const at = new Date(NOW + 300_000).toUTCString();
    expect(outcome({ result: answer(429, at) })).toEqual({
      kind: "retry",
      atMs: NOW + 300_000,
      step: 1,
    });
  });

  test("an unreadable Retry-After is ignored", () => {
    expect(outcome({ result: answer(429, "soon") })).toEqual({
      kind: "retry",
      atMs: NOW + 1000,
      step: 1,
    });
  });

  test("a Retry-After on any failing status counts, not only on a 429", () => {
    expect(atMsOf(outcome({ result: answer(503, "90") }))).toBe(NOW + 90_000);
  });

  test("the retry's time is the attempt's end plus the wait", () => {
    expect(outcome({ result: answer(500), nowMs: NOW + 42, windowStartMs: NOW })).toEqual({
      kind: "retry",
      atMs: NOW + 42 + 1000,
      step: 1,
    });
  });

  test("a retry that would fall past the give-up time fails, counted from the window's start", () => {
    const windowStartMs = NOW - 3600_000 + 59_999;
    expect(outcome({ result: answer(500), step: 2, windowStartMs })).toEqual({
      kind: "failed",
      atMs: NOW + 60_000,
      step: 3,
    });
  });

  test("a retry exactly at the give-up time is still made", () => {
    const windowStartMs = NOW - 3600_000 + 60_000;
    expect(outcome({ result: answer(500), step: 2, windowStartMs })).toEqual({
      kind: "retry",
      atMs: NOW + 60_000,
      step: 3,
    });
  });

  test("a long Retry-After can make the delivery give up", () => {
    expect(outcome({ result: answer(429, "3601") })).toEqual({
      kind: "failed",
      atMs: NOW + 3601_000,
      step: 1,
    });
  });

  test("a 200 is delivered even past the give-up time", () => {
    expect(outcome({ result: answer(200), windowStartMs: NOW - 10 * 3600_000 })).toEqual({
      kind: "delivered",
    });
  });

  test("jitter stays within ±20% of the scheduled wait, drawn from the given source", () => {
    expect(atMsOf(outcome({ result: answer(500), step: 1, random: () => 0 }))).toBe(NOW + 8000);
    expect(atMsOf(outcome({ result: answer(500), step: 1, random: () => 0.25 }))).toBe(NOW + 9000);
    expect(atMsOf(outcome({ result: answer(500), step: 1, random: () => 0.75 }))).toBe(
      NOW + 11_000,
    );
    const top = atMsOf(outcome({ result: answer(500), step: 1, random: () => 0.999_999 }));
    expect(top).toBeLessThanOrEqual(NOW + 12_000);
    expect(top).toBeGreaterThan(NOW + 11_999);
    let draws = 0;
    outcome({
      result: answer(500),
      random: () => {
        draws++;
        return 0.5;
      },
    });
    expect(draws).toBe(1);
  });

  test("the jitter is rounded to whole milliseconds", () => {
    const atMs = atMsOf(outcome({ result: answer(500), random: () => 0.123_456 }));
    expect(Number.isInteger(atMs)).toBe(true);
  });

  test("jitter can tip a retry near the give-up time into failing", () => {
    const windowStartMs = NOW - 3600_000 + 60_000;
    expect(outcome({ result: answer(500), step: 2, windowStartMs, random: () => 0 }).kind).toBe(
      "retry",
    );
    expect(outcome({ result: answer(500), step: 2, windowStartMs, random: () => 0.9 }).kind).toBe(
      "failed",
    );
  });

  test("a successful answer draws no jitter", () => {
    let draws = 0;
    attemptOutcome({
      result: answer(200),
      step: 0,
      windowStartMs: NOW,
      retry,
      nowMs: NOW,
      random: () => {
        draws++;
        return 0.5;
      },
    });
    expect(draws).toBe(0);
  });
});
