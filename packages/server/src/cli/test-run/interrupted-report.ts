// A scenario the runner was interrupted in (Ctrl-C, SIGTERM, its output gone) did not fail: the
// engine ends the step in progress as failed with the interruption's reason, and this makes that
// what it is — the buyer run skipped (the step says why, "interrupted (SIGINT)"), and the scenario
// skipped with that error, unless a buyer run failed of its own before. A bot that crashed is
// not an interruption of the runner's (its reason differs): that failure stays one.
import type { BuyerRunReport, ScenarioReport } from "../../scenarios/report.ts";

/** Whether the run ended failed only because the run was interrupted with `reason`. */
function interruptedRun(run: BuyerRunReport, reason: string): boolean {
  const failed = run.steps.find((step) => step.outcome === "failed");
  return run.outcome === "failed" && failed?.failure?.message === reason;
}

/**
 * `report` of a scenario that ran while the runner was interrupted with `reason` (what the
 * engine says of it: interruption() of the abort's reason), its interrupted runs skipped.
 */
export function asInterrupted(report: ScenarioReport, reason: string): ScenarioReport {
  const buyers = report.buyers.map((run): BuyerRunReport => {
    if (!interruptedRun(run, reason)) return run;
    return {
      ...run,
      outcome: "skipped",
      // The step keeps its failure: it says why it was cut short.
      steps: run.steps.map((step) =>
        step.outcome === "failed" ? { ...step, outcome: "skipped" } : step,
      ),
    };
  });
  const failedOfItsOwn =
    buyers.some((run) => run.outcome === "failed") ||
    (report.error !== null && report.error !== reason);
  if (report.outcome !== "failed" || failedOfItsOwn) return { ...report, buyers };
  return { ...report, buyers, outcome: "skipped", error: reason };
}
