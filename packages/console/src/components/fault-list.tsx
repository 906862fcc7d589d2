// The fault rules, oldest first: what each matches and does, how often it fired (acted) and
// matched (met its conditions, fired or not), whether it is spent; remove one, or all of them.
import { useState } from "preact/hooks";
import { call } from "../api.ts";
import { formatDateTime } from "../format.ts";
import type { FaultRule } from "../types.ts";
import { useAction } from "../use-action.ts";
import { Dialog } from "./dialog.tsx";
import { ErrorNote } from "./form-field.tsx";

function actionOf(rule: FaultRule): string {
  const parts: string[] = [];
  if (rule.status !== null) parts.push(`answers ${rule.status}`);
  if (rule.retry_after !== null) parts.push(`Retry-After ${rule.retry_after}s`);
  if (rule.latency_ms !== null) parts.push(`+${rule.latency_ms} ms`);
  if (rule.drop !== null) parts.push(`drops ${rule.drop}`);
  return parts.join(" · ");
}

function limitsOf(rule: FaultRule): string {
  const parts: string[] = [];
  if (rule.times !== null) parts.push(`${rule.times} ${rule.times === 1 ? "time" : "times"}`);
  if (rule.probability !== null) parts.push(`p ${rule.probability} (seed ${rule.seed})`);
  if (rule.until !== null) parts.push(`until ${formatDateTime(rule.until)}`);
  return parts.length > 0 ? parts.join(" · ") : "always";
}

function FaultRow({
  rule,
  accountName,
  onRemoved,
}: {
  rule: FaultRule;
  accountName: string | null;
  onRemoved: () => void;
}) {
  const remove = useAction(async () => {
    await call("delete", "/sandbox/v1/faults/{id}", { path: { id: rule.id } });
    onRemoved();
  });
  return (
    <li class="fault" data-spent={rule.spent ? "yes" : "no"}>
      <div class="fault-what">
        <div class="row">
          <code class="fault-id">{rule.id}</code>
          <strong>{rule.operation}</strong>
          {rule.spent ? <span class="pill">spent</span> : <span class="pill ok">live</span>}
        </div>
        <span class="small-text">
          {rule.user_id === null ? "any account" : `${accountName ?? "account"} (${rule.user_id})`}
          {rule.chat_id !== null && (
            <>
              {" · chat "}
              <code>{rule.chat_id}</code>
            </>
          )}
        </span>
        <span class="small-text">
          <strong>{actionOf(rule)}</strong> · {limitsOf(rule)}
        </span>
      </div>
      <dl class="fault-counts tabular" aria-label={`Counts of ${rule.id}`}>
        <div>
          <dt>fired</dt>
          <dd>{rule.fired}</dd>
        </div>
        <div>
          <dt>matched</dt>
          <dd>{rule.matched}</dd>
        </div>
      </dl>
      <button
        type="button"
        class="small danger"
        disabled={remove.busy}
        aria-label={`Remove ${rule.id}`}
        onClick={() => void remove.run()}
      >
        Remove
      </button>
      {remove.error && (
        <div class="fault-error">
          <ErrorNote error={remove.error} />
        </div>
      )}
    </li>
  );
}

export function FaultList({
  rules,
  names,
  onChanged,
}: {
  rules: FaultRule[];
  names: ReadonlyMap<number, string>;
  onChanged: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [cleared, setCleared] = useState<number | null>(null);
  const clear = useAction(async () => {
    const answer = await call("delete", "/sandbox/v1/faults");
    setCleared(answer.deleted);
    setConfirming(false);
    onChanged();
  });

  return (
    <div class="fault-list">
      <div class="section-head">
        <h3 class="section-title">
          Rules <span class="tabular">({rules.length})</span>
        </h3>
        <button
          type="button"
          class="small danger"
          disabled={rules.length === 0}
          onClick={() => {
            clear.clearError();
            setConfirming(true);
          }}
        >
          Remove all
        </button>
      </div>
      {cleared !== null && rules.length === 0 && (
        <p class="notice" role="status">
          Removed {cleared} {cleared === 1 ? "rule" : "rules"}.
        </p>
      )}
      {rules.length === 0 ? (
        <p class="muted no-margin">
          No fault rules: every request is answered as production would on a good day.
        </p>
      ) : (
        <ul class="plain-list faults" aria-label="Fault rules">
          {rules.map((rule) => (
            <FaultRow
              key={rule.id}
              rule={rule}
              accountName={rule.user_id === null ? null : (names.get(rule.user_id) ?? null)}
              onRemoved={onChanged}
            />
          ))}
        </ul>
      )}
      <Dialog
        open={confirming}
        title="Remove every fault rule?"
        onClose={() => setConfirming(false)}
        dismissable={!clear.busy}
        footer={
          <>
            <button type="button" onClick={() => setConfirming(false)} disabled={clear.busy}>
              Cancel
            </button>
            <button
              type="button"
              class="primary danger-fill"
              disabled={clear.busy}
              onClick={() => void clear.run()}
            >
              {clear.busy ? "Removing…" : `Remove ${rules.length} rules`}
            </button>
          </>
        }
      >
        <p class="no-margin">
          All {rules.length} rules go, with their counts. Requests and deliveries are then answered
          normally.
        </p>
        <ErrorNote error={clear.error} />
      </Dialog>
    </div>
  );
}
