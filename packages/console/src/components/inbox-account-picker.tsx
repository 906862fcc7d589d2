// /inbox without an account: every account with its unread total, to open one's inbox. The unread
// totals add up each account's chats (one page of the largest size the API gives): past that many
// chats a total is shown as "at least". That read is large, so a burst of events (a bot under
// load) asks for it once, a moment after the burst began.
import { call } from "../api.ts";
import { useLiveEvents } from "../live.ts";
import { Link } from "../router.tsx";
import { useDebounced } from "../use-refresh.ts";
import { useResource } from "../use-resource.ts";
import { ChatAvatar } from "./chat-avatar.tsx";
import { ErrorNote } from "./form-field.tsx";

const CHATS_LIMIT = 1000;
const REFRESH_DELAY_MS = 300;

interface Totals {
  unread: Map<number, number>;
  chats: Map<number, number>;
  partial: boolean;
}

async function loadTotals(): Promise<Totals> {
  const { chats } = await call("get", "/sandbox/v1/chats", { query: { limit: CHATS_LIMIT } });
  const unread = new Map<number, number>();
  const count = new Map<number, number>();
  for (const chat of chats) {
    for (const user of chat.users) {
      unread.set(user.user_id, (unread.get(user.user_id) ?? 0) + user.unread_count);
      count.set(user.user_id, (count.get(user.user_id) ?? 0) + 1);
    }
  }
  return { unread, chats: count, partial: chats.length >= CHATS_LIMIT };
}

export function InboxAccountPicker({ lastPicked }: { lastPicked: number | null }) {
  const accounts = useResource(() => call("get", "/sandbox/v1/accounts"), []);
  const totals = useResource(loadTotals, []);
  const reloadTotals = useDebounced(totals.reload, REFRESH_DELAY_MS);
  useLiveEvents((event) => {
    if (event.type === "world" || event.type === "resync") accounts.reload();
    if (event.type !== "delivery" && event.type !== "clock") reloadTotals();
  });

  const more = totals.data?.partial ? "+" : "";
  return (
    <main class="page inbox-picker">
      <h1>Inbox</h1>
      <p class="muted">Open an account's inbox: its chats as that account sees them.</p>
      {accounts.error && <ErrorNote error={accounts.error} />}
      {totals.error && <ErrorNote error={totals.error} />}
      {accounts.data === null && !accounts.error && <p class="muted">Loading accounts…</p>}
      {accounts.data?.accounts.length === 0 && (
        <p class="muted">
          No accounts yet. Create one on the <Link to="/accounts">Accounts</Link> page.
        </p>
      )}
      <ul class="picker-list" aria-label="Accounts">
        {accounts.data?.accounts.map((account) => {
          const unread = totals.data?.unread.get(account.user_id) ?? 0;
          const chats = totals.data?.chats.get(account.user_id) ?? 0;
          return (
            <li key={account.user_id}>
              <Link to={`/inbox/${account.user_id}`} class="picker-account">
                <ChatAvatar userId={account.user_id} name={account.name} />
                <span class="picker-who">
                  <span class="picker-name">
                    <span lang="ru">{account.name}</span>
                    {account.kind === "avito" && <span class="tag">Avito</span>}
                    {account.user_id === lastPicked && <span class="tag">last opened</span>}
                  </span>
                  <span class="muted small">
                    user_id {account.user_id}
                    {totals.data && ` · ${chats}${more} ${chats === 1 ? "chat" : "chats"}`}
                  </span>
                </span>
                {unread > 0 && (
                  <span class="badge" title="Unread messages">
                    {unread}
                    {more}
                    <span class="visually-hidden"> unread</span>
                  </span>
                )}
              </Link>
            </li>
          );
        })}
      </ul>
    </main>
  );
}
