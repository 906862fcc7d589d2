// A scenario run as it goes: its status, seller, start and duration, Cancel while it runs; why it
// could not start; the reply times when many buyer runs answered; each buyer run with its steps
// (of a load test's many, those shown-buyer-runs.ts picks, the others counted). A run the server
// no longer has is shown as it was last read, marked gone, without Cancel.
import { ErrorNote } from "../../components/form-field.tsx";
import { BuyerRun } from "./buyer-run.tsx";
import { clockTime, formatMs, STATUS_PILL } from "./run-format.ts";
import type { ReplyTimes, ScenarioRun } from "./scenario-types.ts";
import {
  formatCount,
  moreBuyerRuns,
  SHOWN_PER_OUTCOME,
  shownBuyerRuns,
} from "./shown-buyer-runs.ts";

/** The met replies' times; the expectations that timed out are counted apart (they have none). */
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
        Reply times, {formatCount(times.count)} {times.count === 1 ? "reply" : "replies"}
        {times.timed_out > 0 && `, ${formatCount(times.timed_out)} timed out`}
      </h3>
      <dl>
        {rows.map(([name, ms]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd class="tabular">{ms === null ? "—" : formatMs(ms)}</dd>
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
  gone,
  sellerName,
  onCancel,
  cancelling,
  cancelError,
}: {
  run: ScenarioRun;
  /** The server no longer has the run: this is what was last read of it. */
  gone: boolean;
  sellerName: string | null;
  onCancel: () => void;
  cancelling: boolean;
  cancelError: Error | null;
}) {
  const { report } = run;
  const buyers = report?.buyers ?? [];
  // A run that is gone is drawn as last read (its buyer runs then under way, too), not as going on.
  const lastReadRunning = run.status === "running";
  const running = lastReadRunning && !gone;
  const sellerId = report?.seller_id ?? run.account;
  const passed = buyers.filter((b) => b.outcome === "passed").length;
  const failed = buyers.filter((b) => b.outcome === "failed").length;
  const { shown, more } = shownBuyerRuns(buyers, lastReadRunning);
  const notShown = moreBuyerRuns(more);
  return (
    <section class="card scenario-run" aria-labelledby="run-title" aria-busy={running}>
      <div class="scenario-run-head">
        <div>
          <h2 id="run-title" class="no-margin">
            {run.scenario}
          </h2>
          <p class="muted small-text no-margin">
            {sellerId !== null && <>Seller {sellerName ?? sellerId} · </>}
            started {clockTime(run.started_at)}
            {!(gone && lastReadRunning) && (
              <>
                {" · "}
                <span class="tabular">{formatMs(elapsedMs(run))}</span>
              </>
            )}
          </p>
        </div>
        <div class="row">
          <span
            class={`pill ${gone ? "warn" : STATUS_PILL[run.status]}`}
            role="status"
            aria-label="Run status"
          >
            {gone ? "gone" : run.status}
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
        {shown.map(({ buyer, index }) => (
          <BuyerRun
            key={`${index}:${buyer.buyer}`}
            buyer={buyer}
            sellerId={sellerId}
            scenarioRunning={lastReadRunning}
          />
        ))}
      </ul>
      {notShown && (
        <p class="muted small-text no-margin tabular">
          {notShown}: only the first {SHOWN_PER_OUTCOME} of each are shown (
          <code>beseda test --json</code> has every one).
        </p>
      )}
    </section>
  );
}
