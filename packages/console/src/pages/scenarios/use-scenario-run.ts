// A scenario run, live: read again 500 ms after each answer while it runs, and only while the tab
// is visible (a hidden tab reads nothing; shown again, it reads at once); no more once it ended or
// the page moved on (a changed run id or an unmounted page stops the loop; a late answer is
// dropped). A run the server no longer has (404: a restart forgets every run, and only the last
// 50 are kept) is `gone`: the loop ends, the last run read stays shown and the page says so. Any
// other failed read (the network, a 5xx) shows why and is tried again, 1 s later, then 2, 4 … up
// to 15 s between tries, until one answers; a 401 signs the console out (api.ts) and ends it.
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError } from "../../api.ts";
import { getRun } from "./scenario-api.ts";
import type { ScenarioRun } from "./scenario-types.ts";

const POLL_MS = 500;
const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 15_000;

export interface LiveRun {
  run: ScenarioRun | null;
  /** Why the last read failed; it is being tried again. Null once a read answers. */
  error: Error | null;
  /** The server no longer has the run (404): what `run` shows is the last that was read. */
  gone: boolean;
  /**
   * Shows a run that came another way (the start's 202, before navigating to it; a cancel's
   * answer) until the next read.
   */
  show: (run: ScenarioRun) => void;
}

/** How long to wait after `failures` failed reads in a row (1 s, 2 s, 4 s … 15 s). */
function retryDelayMs(failures: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
}

function unreadable(reason: unknown, retryMs: number): Error {
  const why = reason instanceof Error ? reason.message : String(reason);
  return new Error(
    `Could not read the run (${why}); trying again in ${Math.round(retryMs / 1000)} s.`,
  );
}

export function useScenarioRun(runId: string | null): LiveRun {
  const [run, setRun] = useState<ScenarioRun | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [gone, setGone] = useState(false);

  useEffect(() => {
    setRun((shown) => (shown !== null && shown.id === runId ? shown : null));
    setError(null);
    setGone(false);
    if (runId === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    /** A read fell due while the tab was hidden: it is made when the tab is shown. */
    let waitingForVisible = false;
    let failures = 0;

    const due = () => {
      timer = null;
      if (document.visibilityState === "visible") void read();
      else waitingForVisible = true;
    };
    const later = (ms: number) => {
      timer = setTimeout(due, ms);
    };
    const read = async () => {
      try {
        const answer = await getRun(runId);
        if (stopped) return;
        failures = 0;
        setRun(answer);
        setError(null);
        if (answer.status === "running") later(POLL_MS);
      } catch (reason) {
        if (stopped) return;
        if (reason instanceof ApiError && reason.status === 404) {
          setGone(true);
          setError(null);
          return;
        }
        if (reason instanceof ApiError && reason.status === 401) {
          setError(reason);
          return;
        }
        failures++;
        const wait = retryDelayMs(failures);
        setError(unreadable(reason, wait));
        later(wait);
      }
    };
    const onVisibility = () => {
      if (document.visibilityState !== "visible" || !waitingForVisible) return;
      waitingForVisible = false;
      void read();
    };
    document.addEventListener("visibilitychange", onVisibility);
    due();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [runId]);

  const show = useCallback((answer: ScenarioRun) => setRun(answer), []);
  return { run, error, gone, show };
}
