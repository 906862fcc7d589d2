// Webhooks: an account's subscription and the pause/resume of its deliveries, over the live log
// of every delivery (newest first) with its attempts, the body and headers sent, and redeliver.
// Live: a `delivery` event (an attempt ended) refetches the log; a `message` may have made new
// deliveries, so it refetches too, after a short pause that turns a burst into one request.
import { useState } from "preact/hooks";
import { call } from "../api.ts";
import { ErrorNote } from "../components/form-field.tsx";
import { WebhookDelivery } from "../components/webhook-delivery.tsx";
import { DELIVERY_STATUSES, WebhookFilters } from "../components/webhook-filters.tsx";
import { WebhookSubscriptions } from "../components/webhook-subscriptions.tsx";
import { useLiveEvents } from "../live.ts";
import { useLocation } from "../router.tsx";
import type { Delivery } from "../types.ts";
import { useDebounced } from "../use-refresh.ts";
import { useResource } from "../use-resource.ts";
import "./operations.css";
import "./webhooks.css";

const PAGE = 100;
const MAX = 1000;

function statusOf(value: string | null): Delivery["status"] | null {
  return DELIVERY_STATUSES.find((s) => s === value) ?? null;
}

function userIdOf(value: string | null): number | null {
  const id = Number(value);
  return value && Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function WebhooksPage() {
  const { query } = useLocation();
  const userId = userIdOf(query.get("user_id"));
  const status = statusOf(query.get("status"));
  const [limit, setLimit] = useState(PAGE);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());

  const accounts = useResource(() => call("get", "/sandbox/v1/accounts"), []);
  const log = useResource(
    () =>
      call("get", "/sandbox/v1/webhooks/deliveries", {
        query: { ...(userId ? { user_id: userId } : {}), ...(status ? { status } : {}), limit },
      }),
    [userId, status, limit],
  );
  const refreshLog = useDebounced(log.reload, 150);
  const refreshAfterMessage = useDebounced(log.reload, 400);
  useLiveEvents((event) => {
    if (event.type === "delivery") refreshLog();
    else if (event.type === "message") refreshAfterMessage();
    else if (event.type === "world" || event.type === "resync") {
      accounts.reload();
      log.reload();
    }
  });

  const list = accounts.data?.accounts ?? [];
  const names = new Map(list.map((a) => [a.user_id, a.name]));
  const deliveries = log.data?.deliveries ?? [];
  const toggle = (id: string) =>
    setOpen((before) => {
      const after = new Set(before);
      if (!after.delete(id)) after.add(id);
      return after;
    });

  return (
    <main class="page webhooks-page">
      <div class="page-head">
        <div>
          <h1>Webhooks</h1>
          <p class="lede">
            Every POST Beseda made to a subscribed app, newest first, as it happens: each attempt,
            the receiver's answer and the exact body sent.
          </p>
        </div>
        <WebhookFilters accounts={list} userId={userId} status={status} />
      </div>

      <ErrorNote error={accounts.error} />
      {accounts.data && (
        <WebhookSubscriptions
          accounts={list}
          userId={userId}
          onChanged={() => {
            accounts.reload();
            refreshLog();
          }}
        />
      )}

      <section class="delivery-log" aria-labelledby="log-title">
        <div class="section-head">
          <h2 id="log-title">
            Delivery log{" "}
            <span class="muted small-text tabular">
              {log.data ? `${deliveries.length} shown` : ""}
            </span>
          </h2>
        </div>
        <ErrorNote error={log.error} />
        {log.data === null && !log.error && <p class="muted">Loading…</p>}
        {log.data && deliveries.length === 0 && (
          <p class="muted card">
            No deliveries{status ? ` with status ${status}` : ""}
            {userId ? ` for ${names.get(userId) ?? `user_id ${userId}`}` : ""} yet. A message in a
            chat of a subscribed account makes one.
          </p>
        )}
        <ul class="card-list deliveries" aria-label="Deliveries">
          {deliveries.map((delivery) => (
            <WebhookDelivery
              key={delivery.id}
              delivery={delivery}
              accountName={userId === null ? (names.get(delivery.user_id) ?? null) : null}
              open={open.has(delivery.id)}
              onToggle={() => toggle(delivery.id)}
              onRedelivered={refreshLog}
            />
          ))}
        </ul>
        {deliveries.length >= limit && limit < MAX && (
          <button type="button" class="more" onClick={() => setLimit(Math.min(limit + PAGE, MAX))}>
            Show older deliveries
          </button>
        )}
      </section>
    </main>
  );
}
