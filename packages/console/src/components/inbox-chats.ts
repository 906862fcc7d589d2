// The chats of one inbox: a page at a time by newest activity, narrowed by type and search, kept
// current by live events. A refresh asks again for everything already shown (from offset 0), so a
// chat that moved to the top, a new chat and a changed badge all land without a reload; while new
// filters load, the old list stays on screen (no blank flash, no layout jump). A search by text
// reads every message of the account on the server, so while one is shown only events of the
// chats it found refresh it; a chat that newly matches is found by searching again.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "../api.ts";
import { useLiveEvents } from "../live.ts";
import type { ChatOverview } from "../types.ts";
import { useDebounced } from "../use-refresh.ts";
import { useNewestCall } from "../use-resource.ts";

export type ChatType = ChatOverview["type"];

export interface InboxFilters {
  type: ChatType | null;
  text: string;
  person: string;
}

export const PAGE_SIZE = 30;
/** The API's largest page: a refresh of more chats than this keeps the first ones only. */
const MAX_LIMIT = 1000;
/** Live events come in bursts (a bot answering at once): one refresh for a burst. */
const REFRESH_DELAY_MS = 150;

export interface InboxChats {
  chats: ChatOverview[] | null;
  more: boolean;
  error: Error | null;
  loading: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  refresh: (quiet?: boolean) => void;
}

export function useInboxChats(userId: number, filters: InboxFilters): InboxChats {
  const [chats, setChats] = useState<ChatOverview[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  // Answers to an older question (other filters, an earlier refresh) are dropped.
  const calls = useNewestCall();
  const shown = useRef(0);
  shown.current = chats?.length ?? 0;
  const shownIds = useRef(new Set<string>());
  shownIds.current = new Set(chats?.map((chat) => chat.chat_id));

  const query = useCallback(
    (offset: number, limit: number) =>
      call("get", "/sandbox/v1/chats", {
        query: {
          user_id: userId,
          type: filters.type ?? undefined,
          text: filters.text.trim() || undefined,
          person: filters.person.trim() || undefined,
          offset,
          // One more than shown says whether there are more.
          limit: limit + 1,
        },
      }),
    [userId, filters.type, filters.text, filters.person],
  );

  /** Asks again; `quiet` (a live update) does not dim the list while it waits. */
  const refresh = useCallback(
    (quiet = false) => {
      const wanted = calls.start();
      const limit = Math.min(Math.max(shown.current, PAGE_SIZE), MAX_LIMIT - 1);
      if (!quiet) setLoading(true);
      query(0, limit).then(
        (answer) => {
          if (!wanted()) return;
          setChats(answer.chats.slice(0, limit));
          setMore(answer.chats.length > limit);
          setError(null);
          setLoading(false);
        },
        (reason: unknown) => {
          if (!wanted()) return;
          setError(reason instanceof Error ? reason : new Error(String(reason)));
          // The account is gone (a reset, an import): its chats went with it.
          if (reason instanceof ApiError && reason.status === 404) setChats([]);
          setLoading(false);
        },
      );
    },
    [query, calls],
  );

  const loadMore = useCallback(() => {
    // A refresh that starts meanwhile answers for what is shown; this page is then dropped.
    const wanted = calls.join();
    const offset = shown.current;
    setLoadingMore(true);
    query(offset, PAGE_SIZE).then(
      (answer) => {
        setLoadingMore(false);
        if (!wanted()) return;
        setChats((current) => {
          const have = new Set((current ?? []).map((chat) => chat.chat_id));
          const added = answer.chats.slice(0, PAGE_SIZE).filter((c) => !have.has(c.chat_id));
          return [...(current ?? []), ...added];
        });
        setMore(answer.chats.length > PAGE_SIZE);
        setError(null);
      },
      (reason: unknown) => {
        setLoadingMore(false);
        if (!wanted()) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
      },
    );
  }, [query, calls]);

  // Another account: start from nothing. Other filters: start from the first page, showing the
  // old list until the answer comes.
  useEffect(() => {
    setChats(null);
  }, [userId]);
  useEffect(() => {
    shown.current = 0;
    refresh();
  }, [refresh]);

  const refreshSoon = useDebounced(() => refresh(true), REFRESH_DELAY_MS);
  const byText = filters.text.trim() !== "";
  useLiveEvents((event) => {
    if (event.type === "delivery" || event.type === "clock") return;
    if (byText) {
      const chatId =
        event.type === "message"
          ? event.message.chat_id
          : event.type === "chat_read"
            ? event.chat_id
            : null;
      // A chat the search did not find: its event says nothing of this list.
      if (chatId !== null && !shownIds.current.has(chatId)) return;
    }
    refreshSoon();
  });

  return { chats, more, error, loading, loadingMore, loadMore, refresh };
}
