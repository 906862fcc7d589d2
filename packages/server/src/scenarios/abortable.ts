// Waiting that a scenario run's signal cuts short: every wait of the engine is bounded by its own
// time limit and by the run's AbortSignal, so that a run never hangs and an abort ends it at once.

/** Thrown where a wait was cut short by the run's signal: the step in progress is "interrupted". */
export class Interrupted extends Error {
  constructor() {
    super("interrupted");
  }
}

/** Resolves after `ms`, or throws Interrupted as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Interrupted());
    const timer = setTimeout(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Interrupted());
    };
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
    return Promise.reject(new Interrupted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted());
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
