// A scenario run, live: read again 500 ms after each answer while it runs, no more once it ended
// or the page moved on (a changed run id or an unmounted page stops the loop; a late answer is
// dropped). A run the server no longer has (404) ends the loop with the error.
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError } from "../../api.ts";
import { getRun } from "./scenario-api.ts";
import type { ScenarioRun } from "./scenario-types.ts";

const POLL_MS = 500;
const RETRY_MS = 2000;

export interface LiveRun {
  run: ScenarioRun | null;
  error: Error | null;
  /**
   * Shows a run that came another way (the start's 202, before navigating to it; a cancel's
   * answer) until the next read.
   */
  show: (run: ScenarioRun) => void;
}

export function useScenarioRun(runId: string | null): LiveRun {
  const [run, setRun] = useState<ScenarioRun | null>(null);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    setRun((shown) => (shown !== null && shown.id === runId ? shown : null));
    setError(null);
    if (runId === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const read = async () => {
      timer = null;
      try {
        const answer = await getRun(runId);
        if (stopped) return;
        setRun(answer);
        setError(null);
        if (answer.status === "running") timer = setTimeout(read, POLL_MS);
      } catch (reason) {
        if (stopped) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
        const gone = reason instanceof ApiError && (reason.status === 404 || reason.status === 401);
        if (!gone) timer = setTimeout(read, RETRY_MS);
      }
    };
    void read();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [runId]);

  const show = useCallback((answer: ScenarioRun) => setRun(answer), []);
  return { run, error, show };
}
