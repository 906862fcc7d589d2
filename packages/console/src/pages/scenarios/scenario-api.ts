// The console's calls of the scenario runs API: start one, read one (polled while it runs), list
// the recent ones, cancel one.
import { call } from "../../api.ts";
import type { ScenarioRun, ScenarioRunSummary } from "./scenario-types.ts";

/** 202 with the run, running; a malformed scenario is an ApiError whose fields name its lines. */
export function startRun(scenario: string, account: number | null): Promise<ScenarioRun> {
  return call("post", "/sandbox/v1/scenarios/run", {
    body: account === null ? { scenario } : { scenario, account },
  });
}

export function getRun(runId: string): Promise<ScenarioRun> {
  return call("get", "/sandbox/v1/scenarios/runs/{run_id}", { path: { run_id: runId } });
}

/** The runs the server keeps, newest first, without their reports. */
export async function listRuns(): Promise<ScenarioRunSummary[]> {
  return (await call("get", "/sandbox/v1/scenarios/runs")).runs;
}

/** Answers once the run has ended (cancelled, or as it had ended before). */
export function cancelRun(runId: string): Promise<ScenarioRun> {
  return call("post", "/sandbox/v1/scenarios/runs/{run_id}/cancel", { path: { run_id: runId } });
}
