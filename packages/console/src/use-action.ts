// One user action against the API (a button, a form): whether it is running, and what went wrong
// last time, kept until the next try. The error is shown, never swallowed; a second click while
// the first is running is ignored, so a slow answer cannot make a double change.
import { useCallback, useRef, useState } from "preact/hooks";

export interface Action<A extends unknown[]> {
  busy: boolean;
  error: Error | null;
  /** Runs the action; resolves true when it succeeded (its error is kept otherwise). */
  run: (...args: A) => Promise<boolean>;
  clearError: () => void;
}

export function useAction<A extends unknown[]>(work: (...args: A) => Promise<unknown>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const running = useRef(false);
  const latest = useRef(work);
  latest.current = work;

  const run = useCallback(async (...args: A) => {
    if (running.current) return false;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await latest.current(...args);
      return true;
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
      return false;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);

  const clearError = useCallback(() => setError(null), []);
  return { busy, error, run, clearError };
}
