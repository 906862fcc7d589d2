// One chat in an inbox, as Avito lists it: the other person (or the item's picture on a u2i chat),
// the item's title and price, the last message and when, and the account's unread count.
import { formatTime, sameDay } from "../format.ts";
import { Link } from "../router.tsx";
import type { ChatOverview } from "../types.ts";
import { ChatAvatar } from "./chat-avatar.tsx";
import { previewOf } from "./message-preview.ts";

const shortDate = new Intl.DateTimeFormat("ru-RU", { day: "numeric", month: "short" });
const fullDate = new Intl.DateTimeFormat("ru-RU", { dateStyle: "short" });

/** Today's messages by time, this year's by day and month, older ones by full date. */
export function listTime(unixSeconds: number): string {
  const now = Date.now() / 1000;
  if (sameDay(unixSeconds, now)) return formatTime(unixSeconds);
  const sameYear = new Date(unixSeconds * 1000).getFullYear() === new Date().getFullYear();
  return (sameYear ? shortDate : fullDate).format(unixSeconds * 1000);
}

/** The other side of the chat for the viewing account (both, joined, if it is not in it). */
export function otherSide(chat: ChatOverview, userId: number) {
  const others = chat.users.filter((user) => user.user_id !== userId);
  return others.length === 1 ? others[0] : undefined;
}

export function InboxChatRow({
  chat,
  userId,
  open,
}: {
  chat: ChatOverview;
  userId: number;
  open: boolean;
}) {
  const other = otherSide(chat, userId);
  const me = chat.users.find((user) => user.user_id === userId);
  const unread = me?.unread_count ?? 0;
  const name = other?.name || (other ? `user ${other.user_id}` : "—");
  const last = chat.last_message;
  const when = last?.created ?? chat.updated;
  return (
    <li>
      <Link
        to={`/inbox/${userId}/${encodeURIComponent(chat.chat_id)}`}
        class={`chat-row${unread > 0 ? " unread" : ""}`}
        aria-current={open ? "page" : undefined}
      >
        {chat.item?.image_url ? (
          <img
            class="item-picture"
            src={chat.item.image_url}
            alt=""
            width={56}
            height={42}
            loading="lazy"
          />
        ) : (
          <ChatAvatar userId={other?.user_id ?? 0} name={name} />
        )}
        <span class="chat-row-main">
          <span class="chat-row-line">
            <span class="chat-row-name" lang="ru">
              {name}
            </span>
            <span class="chat-row-type tag">{chat.type}</span>
            <time class="chat-row-time" dateTime={new Date(when * 1000).toISOString()}>
              {listTime(when)}
            </time>
          </span>
          {chat.item && (
            <span class="chat-row-item">
              <span lang="ru">{chat.item.title}</span>
              {chat.item.price_string && <span class="muted"> · {chat.item.price_string}</span>}
            </span>
          )}
          <span class="chat-row-line">
            <span class="chat-row-preview">
              {last ? (
                <>
                  {last.author_id === userId && <span class="muted">You: </span>}
                  <span lang="ru">{previewOf(last)}</span>
                </>
              ) : (
                <span class="muted">No messages yet</span>
              )}
            </span>
            {unread > 0 && (
              <span class="badge">
                {unread}
                <span class="visually-hidden"> unread</span>
              </span>
            )}
          </span>
        </span>
      </Link>
    </li>
  );
}
