// The recent runs the server keeps (the last 50), newest first: each opens at /scenarios/<id>.
import { ErrorNote } from "../../components/form-field.tsx";
import { Link } from "../../router.tsx";
import { clockTime, formatMs, STATUS_PILL } from "./run-format.ts";
import type { ScenarioRunSummary } from "./scenario-types.ts";

function took(run: ScenarioRunSummary): string {
  if (run.ended_at === null) return "";
  const ms = Date.parse(run.ended_at) - Date.parse(run.started_at);
  return Number.isNaN(ms) ? "" : ` · ${formatMs(ms)}`;
}

export function RecentRuns({
  runs,
  error,
  current,
}: {
  runs: ScenarioRunSummary[] | null;
  error: Error | null;
  current: string | null;
}) {
  return (
    <section class="card recent-runs" aria-labelledby="recent-runs-title">
      <h2 id="recent-runs-title">Recent runs</h2>
      <ErrorNote error={error} />
      {runs === null && !error && <p class="muted no-margin">Loading…</p>}
      {runs?.length === 0 && <p class="muted no-margin">No runs yet.</p>}
      <ul class="plain-list" aria-label="Recent runs">
        {runs?.map((run) => (
          <li key={run.id}>
            <Link
              to={`/scenarios/${encodeURIComponent(run.id)}`}
              class="recent-run"
              aria-current={run.id === current ? "page" : undefined}
            >
              <span class={`pill ${STATUS_PILL[run.status]}`}>{run.status}</span>
              <span class="recent-run-name">{run.scenario}</span>
              <span class="muted small-text tabular">
                {clockTime(run.started_at)}
                {took(run)}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
