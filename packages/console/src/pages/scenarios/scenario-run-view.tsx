// A scenario run as it goes: its status, seller, start and duration, Cancel while it runs; why it
// could not start; the reply times when many buyer runs answered; each buyer run with its steps.
import { ErrorNote } from "../../components/form-field.tsx";
import { BuyerRun } from "./buyer-run.tsx";
import { clockTime, formatMs, STATUS_PILL } from "./run-format.ts";
import type { ReplyTimes, ScenarioRun } from "./scenario-types.ts";

function ReplyTimesSummary({ times }: { times: ReplyTimes }) {
  const rows = [
    ["p50", times.p50_ms],
    ["p95", times.p95_ms],
    ["p99", times.p99_ms],
    ["max", times.max_ms],
  ] as const;
  return (
    <section class="reply-times" aria-labelledby="reply-times-title">
      <h3 id="reply-times-title" class="section-title">
        Reply times, {times.count} {times.count === 1 ? "reply" : "replies"}
      </h3>
      <dl>
        {rows.map(([name, ms]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd class="tabular">{formatMs(ms)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** Real time the run has taken: to its end, or to now while it runs (re-rendered by the poll). */
function elapsedMs(run: ScenarioRun): number {
  const start = Date.parse(run.started_at);
  const end = run.ended_at ? Date.parse(run.ended_at) : Date.now();
  return Number.isNaN(start) || Number.isNaN(end)
    ? (run.report?.duration_ms ?? 0)
    : Math.max(0, end - start);
}

export function ScenarioRunView({
  run,
  sellerName,
  onCancel,
  cancelling,
  cancelError,
}: {
  run: ScenarioRun;
  sellerName: string | null;
  onCancel: () => void;
  cancelling: boolean;
  cancelError: Error | null;
}) {
  const { report } = run;
  const buyers = report?.buyers ?? [];
  const running = run.status === "running";
  const sellerId = report?.seller_id ?? run.account;
  const passed = buyers.filter((b) => b.outcome === "passed").length;
  const failed = buyers.filter((b) => b.outcome === "failed").length;
  return (
    <section class="card scenario-run" aria-labelledby="run-title" aria-busy={running}>
      <div class="scenario-run-head">
        <div>
          <h2 id="run-title" class="no-margin">
            {run.scenario}
          </h2>
          <p class="muted small-text no-margin">
            {sellerId !== null && <>Seller {sellerName ?? sellerId} · </>}
            started {clockTime(run.started_at)} ·{" "}
            <span class="tabular">{formatMs(elapsedMs(run))}</span>
          </p>
        </div>
        <div class="row">
          <span class={`pill ${STATUS_PILL[run.status]}`} role="status" aria-label="Run status">
            {run.status}
          </span>
          {running && (
            <button type="button" class="danger small" disabled={cancelling} onClick={onCancel}>
              {cancelling ? "Cancelling…" : "Cancel"}
            </button>
          )}
        </div>
      </div>
      <ErrorNote error={cancelError} />
      {report?.error && (
        <div class="error" role="alert">
          <p class="no-margin">It could not start: {report.error}</p>
        </div>
      )}
      {buyers.length > 1 && (
        <p class="no-margin small-text tabular">
          {buyers.length} buyer runs
          {failed > 0 && <span class="run-count failed"> · {failed} failed</span>}
          {passed > 0 && <span class="run-count passed"> · {passed} passed</span>}
        </p>
      )}
      {report?.reply_times && buyers.length > 1 && <ReplyTimesSummary times={report.reply_times} />}
      {buyers.length === 0 && running && <p class="muted no-margin">Setting up the world…</p>}
      <ul class="card-list buyer-runs" aria-label="Buyer runs">
        {buyers.map((buyer, i) => (
          <BuyerRun
            key={`${i}:${buyer.buyer}`}
            buyer={buyer}
            sellerId={sellerId}
            scenarioRunning={running}
          />
        ))}
      </ul>
    </section>
  );
}
