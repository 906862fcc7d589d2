// Two ways a page keeps what it shows fresh besides the live events: a gathered trigger (a burst
// of events becomes one refetch), and a poll for what has no event (fault rules' counts, the
// rate-limit meter), only while the tab is visible.
import { useEffect, useMemo, useRef } from "preact/hooks";

/**
 * A function that calls `work` once, `ms` after the first of a burst of calls: the calls meanwhile
 * ride along. Not after the last one: under a steady stream of events (a bot under load) that
 * would never come, and the page would never refresh.
 */
export function useDebounced(work: () => void, ms: number): () => void {
  const latest = useRef(work);
  latest.current = work;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useMemo(
    () => () => {
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        latest.current();
      }, ms);
    },
    [ms],
  );
}

/** Calls `work` every `ms` while the page is visible, and at once when it becomes visible again. */
export function usePoll(work: () => void, ms: number, enabled = true): void {
  const latest = useRef(work);
  latest.current = work;
  useEffect(() => {
    if (!enabled) return;
    const tick = () => {
      if (document.visibilityState === "visible") latest.current();
    };
    const timer = setInterval(tick, ms);
    const onVisible = () => {
      if (document.visibilityState === "visible") latest.current();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [ms, enabled]);
}
