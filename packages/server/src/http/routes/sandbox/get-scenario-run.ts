// GET /sandbox/v1/scenarios/runs/{run_id} → the run: its status and its ScenarioReport so far
// (poll it while the status is "running"); of a load test's buyer runs, the first 20 of each
// outcome keep their steps and conversation (scenarios/kept-steps.ts says why). 404 for a run that
// is unknown or no longer kept (the last 50; a restart forgets them all).
import type { FastifyInstance } from "fastify";
import { BesedaError } from "../../../errors/beseda-error.ts";
import type { ScenarioRuns } from "../../../scenarios/scenario-runs.ts";

export const runParams = {
  type: "object",
  properties: { run_id: { type: "string", minLength: 1, maxLength: 100 } },
  required: ["run_id"],
} as const;

export function getScenarioRun(app: FastifyInstance, runs: ScenarioRuns) {
  app.route<{ Params: { run_id: string } }>({
    method: "GET",
    url: "/scenarios/runs/:run_id",
    schema: { params: runParams },
    handler: async ({ params }) => {
      const run = runs.get(params.run_id);
      if (!run) throw new BesedaError("scenario_run_not_found");
      return run;
    },
  });
}
