// The open chat's header: back to the list (on a phone, where the list is hidden), the other
// person, the item of a u2i chat, and the account's unread count with "Mark read", which reads
// the chat as that account (opening it never does: the API's rule).
import { Link } from "../router.tsx";
import type { ChatOverview } from "../types.ts";
import { useAction } from "../use-action.ts";
import { ChatAvatar } from "./chat-avatar.tsx";
import { ChatItemCard } from "./chat-item-card.tsx";
import { markRead } from "./compose-send.ts";
import { ErrorNote } from "./form-field.tsx";

export function ChatHeader({
  userId,
  chatId,
  chat,
  onChanged,
}: {
  userId: number;
  chatId: string;
  /** undefined while loading; null when there is no such chat. */
  chat: ChatOverview | null | undefined;
  onChanged: () => void;
}) {
  const others = chat?.users.filter((user) => user.user_id !== userId) ?? [];
  const me = chat?.users.find((user) => user.user_id === userId);
  const unread = me?.unread_count ?? 0;

  const read = useAction(async () => {
    await markRead(chatId, userId);
    onChanged();
  });

  return (
    <header class="chat-header">
      <div class="chat-header-line">
        <Link to={`/inbox/${userId}`} class="chat-back" aria-label="Back to the chats">
          ←
        </Link>
        {others.map((other) => (
          <span class="chat-person" key={other.user_id}>
            <ChatAvatar userId={other.user_id} name={other.name} />
            <span class="chat-person-text">
              <h2 class="chat-person-name" lang="ru">
                {other.name || `user ${other.user_id}`}
              </h2>
              <span class="muted small">
                user_id {other.user_id} · {chat?.type}
              </span>
            </span>
          </span>
        ))}
        {chat === undefined && <span class="muted">Loading…</span>}
        {chat === null && (
          <span class="muted">
            There is no chat <code>{chatId}</code>
          </span>
        )}
        {chat && !me && <span class="muted small">Account {userId} is not in this chat.</span>}
        {me && (
          <span class="chat-read">
            {unread > 0 ? (
              <span class="badge">
                {unread}
                <span class="visually-hidden"> unread</span>
              </span>
            ) : (
              <span class="muted small">All read</span>
            )}
            <button
              type="button"
              onClick={() => void read.run()}
              disabled={read.busy || unread === 0}
              title={`Read the chat as ${me.name || `user ${me.user_id}`}`}
            >
              Mark read
            </button>
          </span>
        )}
      </div>
      {chat?.item && <ChatItemCard item={chat.item} />}
      <ErrorNote error={read.error} />
    </header>
  );
}
