// The open chat's messages, oldest first: its newest page, older pages on demand, and every live
// change (a new message appended, a deleted one replaced, read marks set) without asking again.
// After a reconnect the stream replays what was missed; `world`/`resync` start over.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "../api.ts";
import { useLiveEvents } from "../live.ts";
import type { SandboxMessage } from "../types.ts";

const PAGE_SIZE = 50;

export interface ChatHistory {
  messages: SandboxMessage[] | null;
  /** Older messages are left to load. */
  more: boolean;
  error: Error | null;
  loadingOlder: boolean;
  loadOlder: () => void;
  /** Asks for the newest page again and merges it: after this console posted or deleted. */
  refreshNewest: () => void;
}

/** Puts `page` (the chat's newest messages) over what is held, keeping older pages. */
function mergeNewest(held: SandboxMessage[], page: SandboxMessage[], more: boolean) {
  const first = page[0];
  // If the page does not reach what is held, messages came in between that neither holds: the
  // held ones can no longer be shown as one history, so the page stands alone.
  if (first && more && !held.some((message) => message.id === first.id)) return page;
  const pageIds = new Set(page.map((message) => message.id));
  return [...held.filter((message) => !pageIds.has(message.id)), ...page];
}

export function useChatHistory(chatId: string): ChatHistory {
  const [messages, setMessages] = useState<SandboxMessage[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  // Answers for another chat (the user moved on) are dropped.
  const current = useRef(chatId);
  current.current = chatId;
  const held = useRef<SandboxMessage[] | null>(null);
  held.current = messages;

  const newest = useCallback(
    () =>
      call("get", "/sandbox/v1/chats/{chat_id}/messages", {
        path: { chat_id: chatId },
        query: { limit: PAGE_SIZE },
      }),
    [chatId],
  );

  const fail = (reason: unknown) => {
    setError(reason instanceof Error ? reason : new Error(String(reason)));
  };

  const reload = useCallback(() => {
    newest().then(
      (page) => {
        if (current.current !== chatId) return;
        setMessages(page.messages);
        setMore(page.more);
        setError(null);
      },
      (reason: unknown) => {
        fail(reason);
        // The chat is gone (a reset, an import): so are its messages.
        if (reason instanceof ApiError && reason.status === 404) {
          setMessages([]);
          setMore(false);
        }
      },
    );
  }, [newest, chatId]);

  const refreshNewest = useCallback(() => {
    newest().then((page) => {
      if (current.current !== chatId) return;
      setMessages((had) => (had ? mergeNewest(had, page.messages, page.more) : page.messages));
      if (!held.current) setMore(page.more);
      setError(null);
    }, fail);
  }, [newest, chatId]);

  const loadOlder = useCallback(() => {
    const oldest = held.current?.[0];
    if (!oldest) return;
    setLoadingOlder(true);
    call("get", "/sandbox/v1/chats/{chat_id}/messages", {
      path: { chat_id: chatId },
      query: { limit: PAGE_SIZE, before: oldest.id },
    }).then(
      (page) => {
        setLoadingOlder(false);
        if (current.current !== chatId) return;
        setMessages((had) => {
          const ids = new Set((had ?? []).map((message) => message.id));
          return [...page.messages.filter((message) => !ids.has(message.id)), ...(had ?? [])];
        });
        setMore(page.more);
      },
      (reason: unknown) => {
        setLoadingOlder(false);
        fail(reason);
      },
    );
  }, [chatId]);

  useEffect(() => {
    setMessages(null);
    setMore(false);
    setError(null);
    reload();
  }, [reload]);

  useLiveEvents((event) => {
    if (event.type === "world" || event.type === "resync") {
      reload();
    } else if (event.type === "message" && event.message.chat_id === chatId) {
      const message = event.message;
      setMessages((had) => {
        if (!had) return had;
        const at = had.findIndex((m) => m.id === message.id);
        if (at === -1) return [...had, message];
        const next = [...had];
        next[at] = message;
        return next;
      });
    } else if (event.type === "chat_read" && event.chat_id === chatId) {
      // The reader has now read every message the other side wrote.
      setMessages(
        (had) =>
          had?.map((m) =>
            m.author_id !== event.user_id && m.read === null && m.created <= event.at
              ? { ...m, read: event.at }
              : m,
          ) ?? had,
      );
    }
  });

  return { messages, more, error, loadingOlder, loadOlder, refreshNewest };
}
