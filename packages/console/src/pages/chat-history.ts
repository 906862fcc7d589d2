// The open chat's messages, oldest first: its newest page, older pages on demand, and every live
// change (a new message put in its place, a deleted one replaced, read marks set) without asking
// again. A live event that comes while a page is on its way is kept and applied again over the
// page when it lands, since the page may have been made before it. After a reconnect the stream
// replays what was missed; `world`/`resync` start over.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "../api.ts";
import { useLiveEvents, useLiveStatus } from "../live.ts";
import type { SandboxMessage } from "../types.ts";
import { type StillWanted, useNewestCall } from "../use-resource.ts";
import {
  applyEvent,
  type ChatEvent,
  chatEventOf,
  firstPage,
  type Held,
  mergeNewest,
  mergeOlder,
  type Page,
} from "./chat-history-merge.ts";

const PAGE_SIZE = 50;
const NOTHING_YET: Held = { messages: null, more: false };

export interface ChatHistory {
  messages: SandboxMessage[] | null;
  /** Older messages are left to load. */
  more: boolean;
  error: Error | null;
  loadingOlder: boolean;
  loadOlder: () => void;
  /**
   * This console posted or deleted: the live stream brings the change; only while the stream is
   * down is the newest page asked for (and merged) instead.
   */
  afterOwnChange: () => void;
}

export function useChatHistory(chatId: string): ChatHistory {
  const [held, setHeld] = useState<Held>(NOTHING_YET);
  const [error, setError] = useState<Error | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  // A reload outdates every page on its way; a refresh or an older page rides along with it.
  const calls = useNewestCall();
  // One list per page on its way: the chat's events that came meanwhile.
  const waiting = useRef(new Set<ChatEvent[]>());
  const oldest = useRef<string | undefined>(undefined);
  oldest.current = held.messages?.[0]?.id;
  const streaming = useRef(false);
  streaming.current = useLiveStatus() === "live";

  const fetchPage = useCallback(
    async (
      before: string | undefined,
      wanted: StillWanted,
      merge: (had: Held, page: Page) => Held,
    ) => {
      const meanwhile: ChatEvent[] = [];
      waiting.current.add(meanwhile);
      try {
        const page = await call("get", "/sandbox/v1/chats/{chat_id}/messages", {
          path: { chat_id: chatId },
          query: before ? { limit: PAGE_SIZE, before } : { limit: PAGE_SIZE },
        });
        if (!wanted()) return;
        setHeld((had) => {
          const next = merge(had, page);
          return { ...next, messages: meanwhile.reduce(applyEvent, next.messages ?? []) };
        });
        setError(null);
      } catch (reason) {
        if (!wanted()) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
        // The chat is gone (a reset, an import): so are its messages.
        if (!before && reason instanceof ApiError && reason.status === 404) {
          setHeld({ messages: [], more: false });
        }
      } finally {
        waiting.current.delete(meanwhile);
      }
    },
    [chatId],
  );

  const reload = useCallback(
    () => void fetchPage(undefined, calls.start(), firstPage),
    [fetchPage, calls],
  );

  const afterOwnChange = useCallback(() => {
    if (!streaming.current) void fetchPage(undefined, calls.join(), mergeNewest);
  }, [fetchPage, calls]);

  const loadOlder = useCallback(() => {
    const before = oldest.current;
    if (!before) return;
    setLoadingOlder(true);
    void fetchPage(before, calls.join(), mergeOlder).finally(() => setLoadingOlder(false));
  }, [fetchPage, calls]);

  useEffect(() => {
    setHeld(NOTHING_YET);
    setError(null);
    reload();
  }, [reload]);

  useLiveEvents((event) => {
    if (event.type === "world" || event.type === "resync") {
      reload();
      return;
    }
    const change = chatEventOf(event, chatId);
    if (!change) return;
    for (const meanwhile of waiting.current) meanwhile.push(change);
    setHeld((had) => (had.messages ? { ...had, messages: applyEvent(had.messages, change) } : had));
  });

  return {
    messages: held.messages,
    more: held.more,
    error,
    loadingOlder,
    loadOlder,
    afterOwnChange,
  };
}
