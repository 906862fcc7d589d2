// The top of the webhook log: the chosen account's subscription (or every subscribed account's),
// whether its deliveries are paused, and the button that pauses or resumes them.
import { useEffect, useState } from "preact/hooks";
import type { AccountOverview } from "../types.ts";
import { useAction } from "../use-action.ts";
import { CopyButton } from "./copy-button.tsx";
import { ErrorNote } from "./form-field.tsx";
import { setDeliveriesPaused } from "./webhook-pause.ts";

function SubscriptionRow({
  account,
  onChanged,
}: {
  account: AccountOverview;
  onChanged: () => void;
}) {
  // The answer is shown at once; the refetch that follows confirms it.
  const [paused, setPaused] = useState<boolean | null>(null);
  useEffect(() => setPaused(null), [account.webhooks_paused]);
  const isPaused = paused ?? account.webhooks_paused;
  const toggle = useAction(async () => {
    const answer = await setDeliveriesPaused(account.user_id, !isPaused);
    setPaused(answer.paused);
    onChanged();
  });
  const subscription = account.subscription;
  return (
    <li class="subscription-row">
      <div class="subscription-main">
        <strong>{account.name}</strong>
        {subscription ? (
          <span class="value-row">
            <code>{subscription.url}</code>
            <CopyButton text={subscription.url} what={`webhook URL of ${account.name}`} />
            <span class="pill accent">v{subscription.version}</span>
          </span>
        ) : (
          <span class="muted">Not subscribed: nothing is delivered.</span>
        )}
      </div>
      <div class="subscription-side">
        {isPaused ? (
          <span class="pill warn">paused: deliveries wait, queued</span>
        ) : (
          subscription && <span class="pill ok">delivering</span>
        )}
        <button
          type="button"
          class={isPaused ? "primary small" : "small"}
          disabled={toggle.busy}
          aria-label={`${isPaused ? "Resume" : "Pause"} the deliveries of ${account.name}`}
          onClick={() => void toggle.run()}
        >
          {isPaused ? "Resume deliveries" : "Pause deliveries"}
        </button>
      </div>
      {toggle.error && (
        <div class="subscription-error">
          <ErrorNote error={toggle.error} />
        </div>
      )}
    </li>
  );
}

export function WebhookSubscriptions({
  accounts,
  userId,
  onChanged,
}: {
  accounts: AccountOverview[];
  /** The account the log is filtered to, or null for all. */
  userId: number | null;
  onChanged: () => void;
}) {
  const shown =
    userId === null
      ? accounts.filter((a) => a.subscription !== null || a.webhooks_paused)
      : accounts.filter((a) => a.user_id === userId);
  return (
    <section class="card subscriptions" aria-labelledby="subscriptions-title">
      <h2 id="subscriptions-title" class="section-title">
        {userId === null ? "Subscriptions" : "Subscription"}
      </h2>
      {shown.length === 0 ? (
        <p class="muted no-margin">
          {userId === null
            ? "No account is subscribed. An app subscribes with POST /messenger/v3/webhook and its token."
            : "Unknown account."}
        </p>
      ) : (
        <ul class="plain-list subscription-list">
          {shown.map((account) => (
            <SubscriptionRow key={account.user_id} account={account} onChanged={onChanged} />
          ))}
        </ul>
      )}
    </section>
  );
}
