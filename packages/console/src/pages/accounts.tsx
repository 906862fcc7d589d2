// Accounts: every account with its app, items, webhook subscription and rate-limit use; create an
// account (which is also how an app is made) and items. Live: a new or replaced world refetches
// everything; messages and deliveries (which move the rate limit and the subscription state)
// refetch the list after a moment; the rate-limit meter, which has no event, is polled.
import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../api.ts";
import { AccountCard } from "../components/account-card.tsx";
import { AccountCreateDialog } from "../components/account-create-dialog.tsx";
import { ErrorNote } from "../components/form-field.tsx";
import { useLiveEvents } from "../live.ts";
import { useDebounced, usePoll } from "../use-refresh.ts";
import { useResource } from "../use-resource.ts";
import "./operations.css";
import "./accounts.css";

/**
 * The apps' redirect URIs. The accounts overview does not carry them; the world's export (without
 * media bytes) does, so they are read from it once, and again after a change.
 */
async function loadRedirectUris(): Promise<Map<number, string[]>> {
  const world = await call("get", "/sandbox/v1/export", { query: { media: false } });
  const uris = new Map<number, string[]>();
  for (const account of world.accounts) {
    const { user_id: userId, redirect_uris: list } = account as {
      user_id?: unknown;
      redirect_uris?: unknown;
    };
    if (typeof userId !== "number") continue;
    uris.set(
      userId,
      Array.isArray(list) ? list.filter((uri): uri is string => typeof uri === "string") : [],
    );
  }
  return uris;
}

export function AccountsPage() {
  const accounts = useResource(() => call("get", "/sandbox/v1/accounts"), []);
  const redirects = useResource(loadRedirectUris, []);
  const [saved, setSaved] = useState<Map<number, string[]>>(new Map());
  const [creating, setCreating] = useState(false);
  const refresh = useDebounced(accounts.reload, 400);

  useLiveEvents((event) => {
    if (event.type === "world" || event.type === "resync") {
      setSaved(new Map());
      accounts.reload();
      redirects.reload();
    } else if (event.type === "message" || event.type === "delivery") refresh();
  });
  usePoll(accounts.reload, 5000);

  const list = accounts.data?.accounts ?? [];

  // An account made elsewhere (the API, another tab) since the export was read: read it again,
  // once for each new set of such accounts, so a missing one can never make a loop.
  const askedFor = useRef("");
  useEffect(() => {
    const known = redirects.data;
    if (!known) return;
    const missing = list
      .filter((a) => !known.has(a.user_id))
      .map((a) => a.user_id)
      .join(",");
    if (missing && missing !== askedFor.current) {
      askedFor.current = missing;
      redirects.reload();
    }
  }, [accounts.data, redirects.data]);
  // null: still being read (the editor waits for them, so a save cannot drop one unseen).
  const urisOf = (userId: number): string[] | null =>
    saved.get(userId) ??
    redirects.data?.get(userId) ??
    (redirects.data && !redirects.loading ? [] : null);

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
      {redirects.error && (
        <p class="error">Could not read the redirect URIs: {redirects.error.message}</p>
      )}
      {accounts.data === null && !accounts.error && <p class="muted">Loading…</p>}
      {accounts.data && list.length === 0 && (
        <p class="muted">No accounts. Create one, or reset the sandbox to get the demo world.</p>
      )}

      <ul class="card-list">
        {list.map((account) => (
          <li key={account.user_id}>
            <AccountCard
              account={account}
              redirectUris={urisOf(account.user_id)}
              onChanged={accounts.reload}
              onRedirectUrisSaved={(uris) =>
                setSaved((before) => new Map(before).set(account.user_id, uris))
              }
            />
          </li>
        ))}
      </ul>

      <AccountCreateDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => {
          accounts.reload();
          redirects.reload();
        }}
      />
    </main>
  );
}
