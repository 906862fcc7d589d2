// GET /sandbox/v1/scenarios/runs → {"runs":[…]}: the runs kept in memory (the last 50, and every
// running one), newest first, without their reports (GET …/runs/{run_id} has each one's).
import type { FastifyInstance } from "fastify";
import type { ScenarioRuns } from "../../../scenarios/scenario-runs.ts";

export function listScenarioRuns(app: FastifyInstance, runs: ScenarioRuns) {
  app.get("/scenarios/runs", async () => ({ runs: runs.list() }));
}
