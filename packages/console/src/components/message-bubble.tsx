// One message in the chat view: the quoted message above it, its content, time and read ticks,
// and what can be done with it (reply, and delete for its author). The viewed account's messages
// sit on the right, the other side's on the left, as in the account's own messenger.
import { formatDateTime, formatTime } from "../format.ts";
import type { SandboxMessage } from "../types.ts";
import { MessageContent } from "./message-content.tsx";
import { DELETED_TEXT, previewOf } from "./message-preview.ts";

export interface MessageActions {
  /** Whose messages may be deleted from here: the person the console writes as. */
  writeAs: number;
  onReply: (message: SandboxMessage) => void;
  onDelete: (message: SandboxMessage) => void;
}

/** ✓ sent, ✓✓ read by the other side (the message's `read`). */
function Ticks({ read }: { read: number | null }) {
  return read === null ? (
    <span class="ticks" title="Sent, not read yet">
      <span aria-hidden="true">✓</span>
      <span class="visually-hidden">sent</span>
    </span>
  ) : (
    <span class="ticks read" title={`Read ${formatDateTime(read)}`}>
      <span aria-hidden="true">✓✓</span>
      <span class="visually-hidden">read</span>
    </span>
  );
}

/** Scrolls to a message and marks it for a moment, the way a messenger shows a quoted one. */
function show(messageId: string) {
  const target = document.getElementById(`message-${messageId}`);
  if (!target) return;
  target.scrollIntoView({ block: "center", behavior: "smooth" });
  target.classList.remove("flash");
  // Restart the animation even when the same message is shown twice in a row.
  void target.offsetWidth;
  target.classList.add("flash");
}

function Quote({
  id,
  quoted,
  nameOf,
}: {
  id: string;
  quoted: SandboxMessage | undefined;
  nameOf: (userId: number) => string;
}) {
  if (!quoted) {
    return (
      <span class="quote muted" title={id}>
        A quoted message further back in the chat
      </span>
    );
  }
  return (
    <button
      type="button"
      class="quote"
      title="Show the quoted message"
      onClick={() => show(quoted.id)}
    >
      <span class="quote-author" lang="ru">
        {nameOf(quoted.author_id)}
      </span>
      <span class="quote-text" lang="ru">
        {quoted.type === "deleted" ? DELETED_TEXT : previewOf(quoted)}
      </span>
    </button>
  );
}

export function MessageBubble({
  message,
  mine,
  quoted,
  nameOf,
  actions,
}: {
  message: SandboxMessage;
  mine: boolean;
  quoted: SandboxMessage | undefined;
  nameOf: (userId: number) => string;
  actions: MessageActions;
}) {
  const deleted = message.type === "deleted";
  const canDelete = !deleted && message.author_id === actions.writeAs;
  return (
    <li
      id={`message-${message.id}`}
      class={`message ${mine ? "mine" : "theirs"} type-${message.type}`}
    >
      <div class="bubble">
        <span class="visually-hidden" lang="ru">
          {nameOf(message.author_id)}:{" "}
        </span>
        {message.quote_id && !deleted && (
          <Quote id={message.quote_id} quoted={quoted} nameOf={nameOf} />
        )}
        <MessageContent message={message} nameOf={nameOf} />
        <span class="message-meta">
          <time dateTime={new Date(message.created * 1000).toISOString()}>
            {formatTime(message.created)}
          </time>
          <Ticks read={message.read} />
        </span>
      </div>
      {!deleted && (
        <div class="message-actions">
          <button type="button" class="quiet small" onClick={() => actions.onReply(message)}>
            Reply
          </button>
          {canDelete && (
            <button
              type="button"
              class="quiet small danger"
              onClick={() => actions.onDelete(message)}
            >
              Delete
            </button>
          )}
        </div>
      )}
    </li>
  );
}
