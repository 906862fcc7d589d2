// One delivery of the log: its state, chat, message and times on a line; opened, every attempt,
// the exact JSON body sent and the headers it was sent with. Redeliver sends
// the same body again from the start of the retry schedule.
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { call } from "../api.ts";
import { Link } from "../router.tsx";
import type { Delivery } from "../types.ts";
import { useAction } from "../use-action.ts";
import { CopyButton } from "./copy-button.tsx";
import { ErrorNote } from "./form-field.tsx";
import { WebhookAttempts } from "./webhook-attempts.tsx";
import { isoDateTime, WebhookStatus } from "./webhook-status.tsx";

/** What the message said, from the body sent (`payload.value`), to tell deliveries apart. */
function previewOf(body: unknown): string | null {
  const value = (body as { payload?: { value?: { type?: unknown; content?: unknown } } } | null)
    ?.payload?.value;
  if (!value || typeof value.type !== "string") return null;
  const text = (value.content as { text?: unknown } | null | undefined)?.text;
  if (value.type === "text" && typeof text === "string") {
    return text.length > 90 ? `${text.slice(0, 90)}…` : text;
  }
  return `[${value.type}]`;
}

export function WebhookDelivery({
  delivery,
  accountName,
  open,
  onToggle,
  onRedelivered,
}: {
  delivery: Delivery;
  /** Shown when the log holds every account's deliveries. */
  accountName: string | null;
  open: boolean;
  onToggle: () => void;
  onRedelivered: () => void;
}) {
  const [exact, setExact] = useState(false);
  const redeliver = useAction(async () => {
    await call("post", "/sandbox/v1/webhooks/deliveries/{id}/redeliver", {
      path: { id: delivery.id },
    });
    onRedelivered();
  });
  const detailId = `delivery-${delivery.id}`;
  // Formatted to be read; Copy and "exact bytes" give what was signed, byte for byte.
  const body = exact ? delivery.raw_body : JSON.stringify(delivery.body, null, 2);
  // Sorted, so the signature and the content type are found in the same place every time.
  const headers = Object.entries(delivery.headers).sort(([a], [b]) => a.localeCompare(b));
  const last = delivery.attempts.at(-1);
  const preview = previewOf(delivery.body);

  return (
    <li class="delivery" data-status={delivery.status}>
      <div class="delivery-line">
        <button
          type="button"
          class="quiet delivery-toggle"
          aria-expanded={open}
          aria-controls={detailId}
          aria-label={`Delivery of message ${delivery.message_id}: ${delivery.status}`}
          onClick={onToggle}
        >
          <span class="chevron" aria-hidden="true">
            {open ? "▾" : "▸"}
          </span>
          <WebhookStatus status={delivery.status} />
        </button>
        <div class="delivery-facts">
          <span class="delivery-message">
            {preview && <span class="delivery-preview">{preview}</span>}
            <span class="muted small-text">
              message <code>{delivery.message_id}</code>
            </span>
          </span>
          <span class="muted small-text">
            {accountName && <>{accountName} · </>}
            chat{" "}
            <Link to={`/inbox/${delivery.user_id}/${encodeURIComponent(delivery.chat_id)}`}>
              {delivery.chat_id}
            </Link>
          </span>
        </div>
        <div class="delivery-times muted small-text tabular">
          <span>created {isoDateTime(delivery.created)}</span>
          <span>
            {delivery.attempts.length === 1 ? "1 attempt" : `${delivery.attempts.length} attempts`}
            {last && last.status !== null ? ` · last HTTP ${last.status}` : ""}
          </span>
          {delivery.next_attempt && <span>next {isoDateTime(delivery.next_attempt)}</span>}
        </div>
        <button
          type="button"
          class="small delivery-redeliver"
          disabled={redeliver.busy}
          aria-label={`Redeliver message ${delivery.message_id}`}
          onClick={() => void redeliver.run()}
        >
          {redeliver.busy ? "Sending…" : "Redeliver"}
        </button>
      </div>
      <ErrorNote error={redeliver.error} />
      {open && (
        <div class="delivery-detail" id={detailId}>
          <section aria-label="Attempts">
            <h3 class="section-title">Attempts</h3>
            <WebhookAttempts attempts={delivery.attempts} />
          </section>
          <section aria-label="Body sent">
            <div class="section-head">
              <h3 class="section-title">Body sent</h3>
              <label class="inline-check">
                <input
                  type="checkbox"
                  checked={exact}
                  onChange={(event) => setExact(event.currentTarget.checked)}
                />
                Exact bytes
              </label>
              <CopyButton text={delivery.raw_body} what="body (the exact bytes signed)" />
            </div>
            <pre class="delivery-body">{body}</pre>
          </section>
          {headers.length > 0 && (
            <section aria-label="Headers sent">
              <h3 class="section-title">Headers sent</h3>
              <dl class="kv headers">
                {headers.map(([name, value]) => (
                  <Fragment key={name}>
                    <dt>
                      <code>{name}</code>
                    </dt>
                    <dd>
                      <code>{value}</code>
                    </dd>
                  </Fragment>
                ))}
              </dl>
            </section>
          )}
          <p class="muted small-text no-margin">
            id <code>{delivery.id}</code> (the envelope's id, the same on every retry)
            {delivery.finished && <> · finished {isoDateTime(delivery.finished)}</>}
          </p>
        </div>
      )}
    </li>
  );
}
