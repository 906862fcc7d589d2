// POST /sandbox/v1/scenarios/runs/{run_id}/cancel → the run once it has ended: a running one is
// aborted (the step in progress fails as interrupted, the rest are skipped, its fault rules are
// removed) and answers "cancelled"; one that had ended is answered as it is. 404 for an unknown run.
import type { FastifyInstance } from "fastify";
import { BesedaError } from "../../../errors/beseda-error.ts";
import type { ScenarioRuns } from "../../../scenarios/scenario-runs.ts";
import { runParams } from "./get-scenario-run.ts";

export function cancelScenarioRun(app: FastifyInstance, runs: ScenarioRuns) {
  app.route<{ Params: { run_id: string } }>({
    method: "POST",
    url: "/scenarios/runs/:run_id/cancel",
    schema: { params: runParams },
    handler: async ({ params }) => {
      const run = await runs.cancel(params.run_id);
      if (!run) throw new BesedaError("scenario_run_not_found");
      return run;
    },
  });
}
