// One account on the accounts page: who it is, its app (client_id, the hidden secret, redirect
// URIs), its items, its webhook subscription and its use of the rate limit, with the ways to its
// inbox and its webhook log.
import { useState } from "preact/hooks";
import { formatDateTime } from "../format.ts";
import { Link } from "../router.tsx";
import type { AccountOverview } from "../types.ts";
import { AccountExpireTokens } from "./account-expire-tokens.tsx";
import { AccountItemDialog } from "./account-item-dialog.tsx";
import { AccountItems } from "./account-items.tsx";
import { AccountRateLimit } from "./account-rate-limit.tsx";
import { AccountRedirectUris } from "./account-redirect-uris.tsx";
import { AccountSecret } from "./account-secret.tsx";
import { AccountWebhook } from "./account-webhook.tsx";
import { CopyButton } from "./copy-button.tsx";

export function AccountCard({
  account,
  onChanged,
}: {
  account: AccountOverview;
  onChanged: () => void;
}) {
  const [addingItem, setAddingItem] = useState(false);
  const headingId = `account-${account.user_id}`;
  return (
    <article class="card account-card" aria-labelledby={headingId}>
      <header class="account-head">
        <div class="account-who">
          <h2 id={headingId}>{account.name}</h2>
          {account.kind === "avito" && (
            <span class="pill accent" title="The account a2u chats are held with">
              Avito
            </span>
          )}
          <span class="muted small-text">
            user_id <code>{account.user_id}</code> · created {formatDateTime(account.created)}
          </span>
        </div>
        <div class="row account-links">
          <Link to={`/inbox/${account.user_id}`} aria-label={`Inbox of ${account.name}`}>
            Inbox
          </Link>
          <Link
            to={`/webhooks?user_id=${account.user_id}`}
            aria-label={`Webhook log of ${account.name}`}
          >
            Webhook log
          </Link>
        </div>
      </header>

      <div class="account-sections">
        <section aria-label="App">
          <h3 class="section-title">App</h3>
          <dl class="kv">
            <dt>client_id</dt>
            <dd class="value-row">
              <code>{account.client_id}</code>
              <CopyButton text={account.client_id} what="client_id" />
            </dd>
            <dt>client_secret</dt>
            <dd>
              <AccountSecret secret={account.client_secret} />
            </dd>
            <dt>Redirect URIs</dt>
            <dd>
              <AccountRedirectUris
                userId={account.user_id}
                uris={account.redirect_uris}
                onSaved={onChanged}
              />
            </dd>
          </dl>
          <AccountExpireTokens userId={account.user_id} name={account.name} />
        </section>

        <section aria-label="Items">
          <div class="section-head">
            <h3 class="section-title">Items ({account.items.length})</h3>
            <button
              type="button"
              class="small"
              aria-label={`New item of ${account.name}`}
              onClick={() => setAddingItem(true)}
            >
              New item
            </button>
          </div>
          <AccountItems items={account.items} />
        </section>

        <section aria-label="Webhooks and rate limit">
          <h3 class="section-title">Webhook</h3>
          <AccountWebhook subscription={account.subscription} paused={account.webhooks_paused} />
          <h3 class="section-title spaced">Rate limit</h3>
          <AccountRateLimit use={account.rate_limit} />
        </section>
      </div>

      <AccountItemDialog
        account={account}
        open={addingItem}
        onClose={() => setAddingItem(false)}
        onCreated={onChanged}
      />
    </article>
  );
}
