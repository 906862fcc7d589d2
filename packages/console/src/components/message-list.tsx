// The chat's messages in one scrolling column, oldest at the top, with a day line between days
// and "Load older" above. It opens at the newest message, stays at the bottom as messages come
// in while the reader is there (and always after one's own), and keeps the reader's place when
// older messages are put above.
import { useEffect, useLayoutEffect, useMemo, useRef } from "preact/hooks";
import { formatDay, sameDay } from "../format.ts";
import type { ChatHistory } from "../pages/chat-history.ts";
import type { SandboxMessage } from "../types.ts";
import { ErrorNote } from "./form-field.tsx";
import { type MessageActions, MessageBubble } from "./message-bubble.tsx";

/** Within this many pixels of the end counts as "at the bottom". */
const NEAR_BOTTOM_PX = 80;

interface Place {
  first: string | undefined;
  last: string | undefined;
  height: number;
  top: number;
}

export function MessageList({
  history,
  viewer,
  nameOf,
  actions,
}: {
  history: ChatHistory;
  /** The account whose inbox this is: its messages are drawn on the right. */
  viewer: number;
  nameOf: (userId: number) => string;
  actions: MessageActions;
}) {
  const { messages } = history;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const place = useRef<Place>({ first: undefined, last: undefined, height: 0, top: 0 });
  const byId = useMemo(() => new Map((messages ?? []).map((m) => [m.id, m])), [messages]);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || !messages) return;
    const first = messages[0]?.id;
    const lastMessage = messages.at(-1);
    const last = lastMessage?.id;
    const before = place.current;
    if (before.first === undefined && before.last === undefined) {
      element.scrollTop = element.scrollHeight;
    } else if (first !== before.first && last === before.last) {
      // Older messages went in above: keep what the reader was looking at where it was.
      element.scrollTop = before.top + (element.scrollHeight - before.height);
    } else if (
      last !== before.last &&
      (atBottom.current || lastMessage?.author_id === actions.writeAs)
    ) {
      element.scrollTop = element.scrollHeight;
    }
    place.current = { first, last, height: element.scrollHeight, top: element.scrollTop };
  }, [messages]);

  // The header and compose settle after the messages (the chat's people load separately), an
  // image may grow as it loads, a window gets resized: a reader at the bottom stays there.
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) element.scrollTop = element.scrollHeight;
    });
    observer.observe(element);
    if (list.current) observer.observe(list.current);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    atBottom.current =
      element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
    place.current = { ...place.current, height: element.scrollHeight, top: element.scrollTop };
  };

  return (
    <div class="message-scroller" ref={scroller} onScroll={onScroll}>
      {history.error && <ErrorNote error={history.error} />}
      {messages === null && !history.error && <p class="muted center">Loading messages…</p>}
      {history.more && (
        <p class="center">
          <button type="button" onClick={history.loadOlder} disabled={history.loadingOlder}>
            {history.loadingOlder ? "Loading…" : "Load older messages"}
          </button>
        </p>
      )}
      {messages?.length === 0 && <p class="muted center">No messages yet.</p>}
      <ol class="messages" aria-label="Messages" ref={list}>
        {messages?.map((message, i) => (
          <DayAndMessage
            key={message.id}
            message={message}
            previous={messages[i - 1]}
            viewer={viewer}
            quoted={message.quote_id ? byId.get(message.quote_id) : undefined}
            nameOf={nameOf}
            actions={actions}
          />
        ))}
      </ol>
    </div>
  );
}

/** A message, preceded by the day's line when it is the first of its day. */
function DayAndMessage({
  message,
  previous,
  viewer,
  quoted,
  nameOf,
  actions,
}: {
  message: SandboxMessage;
  previous: SandboxMessage | undefined;
  viewer: number;
  quoted: SandboxMessage | undefined;
  nameOf: (userId: number) => string;
  actions: MessageActions;
}) {
  const newDay = !previous || !sameDay(previous.created, message.created);
  return (
    <>
      {newDay && (
        <li class="day-line">
          <time dateTime={new Date(message.created * 1000).toISOString().slice(0, 10)}>
            {formatDay(message.created)}
          </time>
        </li>
      )}
      <MessageBubble
        message={message}
        mine={message.author_id === viewer}
        quoted={quoted}
        nameOf={nameOf}
        actions={actions}
      />
    </>
  );
}
