// Waiting that a scenario run's signal cuts short: every wait of the engine is bounded by its own
// time limit and by the run's AbortSignal, so that a run never hangs and an abort ends it at once.

/**
 * The longest delay a timer takes (2^31-1 ms, about 24.8 days): Node runs a longer one after
 * 1 ms instead, with a warning, so a long wait is made of timers no longer than this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * What an abort says: the reason the run was aborted with when it is an Error of the runner's
 * ("the bot exited (code 3)"), else "interrupted" (Ctrl-C, a cancel, AbortController.abort()
 * without a reason, whose reason is a DOMException).
 */
export function interruption(reason: unknown): string {
  return reason instanceof Error && !(reason instanceof DOMException)
    ? reason.message
    : "interrupted";
}

/** Thrown where a wait was cut short by the run's signal: the step in progress fails with it. */
export class Interrupted extends Error {
  /** `reason`: the aborted signal's, saying why (then the message is that reason). */
  constructor(reason?: unknown) {
    super(interruption(reason));
  }
}

/** Resolves after `ms`, or throws Interrupted as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Interrupted(signal.reason));
    const until = performance.now() + Math.max(0, ms);
    let timer: NodeJS.Timeout;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Interrupted(signal.reason));
    };
    // In slices no longer than a timer takes: a wait of days is several timers, one after another.
    const wake = () => {
      const left = until - performance.now();
      if (left > 0) {
        timer = setTimeout(wake, Math.min(left, MAX_TIMER_MS));
        return;
      }
      signal.removeEventListener("abort", onAbort);
      resolve();
    };
    timer = setTimeout(wake, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The promise's outcome, or Interrupted as soon as `signal` aborts (the work itself goes on: an
 * HTTP call to the sandbox then ends on its own, unheard).
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(new Interrupted(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
