// Telling a scenario run's observer (report.ts) what happened: a listener that throws is not the
// scenario's failure, so its fault is swallowed here, in one place.
import type { ScenarioObserver } from "./report.ts";

/** Calls `hear` with the observer, if there is one; whatever it throws is dropped. */
export function tell(
  observer: ScenarioObserver | undefined,
  hear: (o: ScenarioObserver) => void,
): void {
  if (!observer) return;
  try {
    hear(observer);
  } catch {
    // A listener's fault is not the scenario's.
  }
}
