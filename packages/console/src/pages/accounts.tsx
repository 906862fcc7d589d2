// Accounts: every account with its app, items, webhook subscription and rate-limit use; create an
// account (which is also how an app is made) and items. Live: a new or replaced world refetches
// everything; messages and deliveries (which move the rate limit and the subscription state)
// refetch the list after a moment; the rate-limit meter, which has no event, is polled while the
// world is small (a seeded world of thousands of accounts is shown a page at a time, and polling
// it all would cost more than it shows).
import { useState } from "preact/hooks";
import { call } from "../api.ts";
import { AccountCard } from "../components/account-card.tsx";
import { AccountCreateDialog } from "../components/account-create-dialog.tsx";
import { ErrorNote } from "../components/form-field.tsx";
import { useLiveEvents } from "../live.ts";
import { useDebounced, usePoll } from "../use-refresh.ts";
import { useResource } from "../use-resource.ts";
import "./operations.css";
import "./accounts.css";

/** Cards drawn at first, and more with each "Show more". */
const PAGE = 50;
/** Up to this many accounts the page polls for the rate-limit meters. */
const POLLED_UP_TO = 200;

export function AccountsPage() {
  const accounts = useResource(() => call("get", "/sandbox/v1/accounts"), []);
  const [creating, setCreating] = useState(false);
  const [shown, setShown] = useState(PAGE);
  const refresh = useDebounced(accounts.reload, 400);

  useLiveEvents((event) => {
    if (event.type === "world" || event.type === "resync") accounts.reload();
    else if (event.type === "message" || event.type === "delivery") refresh();
  });
  const list = accounts.data?.accounts ?? [];
  usePoll(accounts.reload, 5000, list.length <= POLLED_UP_TO);

  return (
    <main class="page accounts-page">
      <div class="page-head">
        <div>
          <h1>Accounts</h1>
          <p class="lede">
            Every account is also an app: its <code>client_id</code> and <code>client_secret</code>{" "}
            get tokens at <code>POST /token</code>. A new account is a new app.
          </p>
        </div>
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          New account
        </button>
      </div>

      <ErrorNote error={accounts.error} />
      {accounts.data === null && !accounts.error && <p class="muted">Loading…</p>}
      {accounts.data && list.length === 0 && (
        <p class="muted">No accounts. Create one, or reset the sandbox to get the demo world.</p>
      )}

      <ul class="card-list">
        {list.slice(0, shown).map((account) => (
          <li key={account.user_id}>
            <AccountCard account={account} onChanged={accounts.reload} />
          </li>
        ))}
      </ul>

      {list.length > shown && (
        <p class="row">
          <button type="button" onClick={() => setShown((count) => count + PAGE)}>
            Show more
          </button>
          <span class="muted">
            {shown} of {list.length} accounts shown
          </span>
        </p>
      )}

      <AccountCreateDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={accounts.reload}
      />
    </main>
  );
}
