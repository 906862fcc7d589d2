// Every attempt of one delivery: when, how long, what the receiver answered (or what went wrong),
// and which fault rule decided it when one did.
import type { DeliveryAttempt } from "../types.ts";
import { isoDateTime } from "./webhook-status.tsx";

function outcome(attempt: DeliveryAttempt): { text: string; tone: string } {
  if (attempt.status !== null) {
    const ok = attempt.status >= 200 && attempt.status < 300;
    return { text: `HTTP ${attempt.status}`, tone: ok ? "ok" : "danger" };
  }
  return { text: attempt.error ?? "no answer", tone: "danger" };
}

export function WebhookAttempts({ attempts }: { attempts: DeliveryAttempt[] }) {
  if (attempts.length === 0) {
    return <p class="muted no-margin">No attempt yet.</p>;
  }
  return (
    <ol class="attempts" aria-label="Attempts">
      {attempts.map((attempt) => {
        const result = outcome(attempt);
        return (
          <li key={attempt.number} class="attempt">
            <div class="attempt-line tabular">
              <strong>Attempt {attempt.number}</strong>
              <span>{isoDateTime(attempt.at)}</span>
              <span>{Math.round(attempt.duration_ms)} ms</span>
              <span class={`pill ${result.tone}`}>{result.text}</span>
              {attempt.status !== null && attempt.error && (
                <span class="pill danger">{attempt.error}</span>
              )}
              {attempt.fault && <span class="pill warn">fault {attempt.fault}</span>}
            </div>
            <div class="muted small-text">
              to <code>{attempt.url}</code>
            </div>
            {attempt.response !== null && attempt.response !== "" && (
              <pre class="attempt-response">{attempt.response}</pre>
            )}
          </li>
        );
      })}
    </ol>
  );
}
