// Inbox: one account's chats as that account sees them, newest activity first, and the open chat
// beside them (on a phone, the open chat alone, with a way back); "New chat" opens one. /inbox
// picks the account, going straight back to the one opened last unless asked to choose
// (?choose). An open chat's ?as=<user_id> says whom compose writes as (a new chat opens writing as
// the other side; switching "Write as" rewrites it in place, so a reload or a shared link keeps it).
import { useEffect, useState } from "preact/hooks";
import { call } from "../api.ts";
import { InboxAccountPicker } from "../components/inbox-account-picker.tsx";
import { InboxChatList } from "../components/inbox-chat-list.tsx";
import { InboxNewChat } from "../components/inbox-new-chat.tsx";
import { useLiveEvents } from "../live.ts";
import { Link, navigate, useLocation } from "../router.tsx";
import { useResource } from "../use-resource.ts";
import { ChatView } from "./chat-view.tsx";
import "./inbox.css";

const LAST_ACCOUNT_KEY = "beseda.inbox.account";

function lastAccount(): number | null {
  try {
    const stored = Number(localStorage.getItem(LAST_ACCOUNT_KEY));
    return Number.isSafeInteger(stored) && stored > 0 ? stored : null;
  } catch {
    // Storage refused (a private window's policy): nothing remembered.
    return null;
  }
}

function remember(userId: number): void {
  try {
    localStorage.setItem(LAST_ACCOUNT_KEY, String(userId));
  } catch {
    // Not remembered this time; the picker still works.
  }
}

function userIdOf(value: string | null): number | null {
  const id = Number(value);
  return value && Number.isSafeInteger(id) && id > 0 ? id : null;
}

export function InboxPage({ userId, chatId }: { userId: number | null; chatId: string | null }) {
  const { query } = useLocation();
  if (userId === null) return <InboxStart choose={query.has("choose")} />;
  return <AccountInbox userId={userId} chatId={chatId} writeAs={userIdOf(query.get("as"))} />;
}

function InboxStart({ choose }: { choose: boolean }) {
  const last = lastAccount();
  const accounts = useResource(() => call("get", "/sandbox/v1/accounts"), []);
  const resume = !choose && accounts.data?.accounts.some((a) => a.user_id === last);
  useEffect(() => {
    if (resume && last !== null) navigate(`/inbox/${last}`, { replace: true });
  }, [resume, last]);
  if (resume || (!choose && last !== null && accounts.data === null && !accounts.error)) {
    return <p class="muted center">Opening the inbox…</p>;
  }
  return <InboxAccountPicker lastPicked={last} />;
}

function AccountInbox({
  userId,
  chatId,
  writeAs,
}: {
  userId: number;
  chatId: string | null;
  writeAs: number | null;
}) {
  useEffect(() => remember(userId), [userId]);
  const [creating, setCreating] = useState(false);
  // A new chat has no message yet, so no live event tells the list: it is asked again instead.
  const [listVersion, setListVersion] = useState(0);
  const accounts = useResource(() => call("get", "/sandbox/v1/accounts"), []);
  useLiveEvents((event) => {
    if (event.type === "world" || event.type === "resync") accounts.reload();
  });
  const account = accounts.data?.accounts.find((a) => a.user_id === userId);
  useEffect(() => {
    if (account) document.title = `${account.name} · Inbox · Beseda`;
    return () => {
      document.title = "Beseda console";
    };
  }, [account?.name]);

  return (
    <main class={`page inbox${chatId ? " has-chat" : ""}`}>
      <div class="inbox-toolbar">
        <h1>
          Inbox <span class="muted">of</span>{" "}
          {account ? <span lang="ru">{account.name}</span> : `user ${userId}`}
        </h1>
        <span class="muted small">user_id {userId}</span>
        <Link to="/inbox?choose" class="small">
          Switch account
        </Link>
        <button type="button" class="primary new-chat-button" onClick={() => setCreating(true)}>
          New chat
        </button>
      </div>
      {creating && (
        <InboxNewChat
          userId={userId}
          onClose={() => setCreating(false)}
          onCreated={(created, other) => {
            setCreating(false);
            setListVersion((version) => version + 1);
            navigate(`/inbox/${userId}/${encodeURIComponent(created)}?as=${other}`);
          }}
        />
      )}
      {accounts.data && !account && (
        <p class="error" role="alert">
          There is no account {userId}. <Link to="/inbox?choose">Choose one</Link>
        </p>
      )}
      <div class="inbox-columns">
        <InboxChatList userId={userId} chatId={chatId} version={listVersion} />
        {chatId ? (
          <ChatView
            key={`${userId}/${chatId}`}
            userId={userId}
            chatId={chatId}
            writeAs={writeAs}
            onWriteAs={(author) =>
              navigate(
                `/inbox/${userId}/${encodeURIComponent(chatId)}${author === userId ? "" : `?as=${author}`}`,
                { replace: true },
              )
            }
          />
        ) : (
          <section class="chat-view chat-none" aria-label="Chat">
            <p class="muted">Choose a chat to see both sides of it.</p>
          </section>
        )}
      </div>
    </main>
  );
}
