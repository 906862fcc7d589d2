// An account's webhook subscription as the account's card shows it: where deliveries go, whether
// they are paused (the card's header links to the delivery log).
import { CopyButton } from "./copy-button.tsx";

export function AccountWebhook({
  subscription,
  paused,
}: {
  subscription: { url: string; version: string } | null;
  paused: boolean;
}) {
  return (
    <div class="stack account-webhook">
      {subscription ? (
        <>
          <div class="value-row">
            <code>{subscription.url}</code>
            <CopyButton text={subscription.url} what="webhook URL" />
          </div>
          <div class="row">
            <span class="pill accent">v{subscription.version}</span>
            {paused ? (
              <span class="pill warn">deliveries paused</span>
            ) : (
              <span class="pill ok">delivering</span>
            )}
          </div>
        </>
      ) : (
        <p class="muted no-margin">
          Not subscribed. The app subscribes with <code>POST /messenger/v3/webhook</code> and the
          account's token.
          {paused && <span class="pill warn">deliveries paused</span>}
        </p>
      )}
    </div>
  );
}
