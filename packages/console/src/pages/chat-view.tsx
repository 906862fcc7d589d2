// The open chat: its header, its messages (both sides, the viewed account's on the right) and
// compose. Holds the message being replied to and the delete waiting for confirmation; who the
// console writes as is the link's (?as=, which a new chat opens with, as the other side, and
// which switching "Write as" rewrites), else the inbox's account.
import { useCallback, useMemo, useState } from "preact/hooks";
import { ChatHeader } from "../components/chat-header.tsx";
import { Compose } from "../components/compose.tsx";
import { ErrorNote } from "../components/form-field.tsx";
import { MessageDeleteDialog } from "../components/message-delete-dialog.tsx";
import { MessageList } from "../components/message-list.tsx";
import type { SandboxMessage } from "../types.ts";
import { useChatHistory } from "./chat-history.ts";
import { useChatOverview } from "./chat-overview.ts";
import { useVoiceLinks, VoiceLinksContext } from "./chat-voices.ts";
import "./chat.css";

export function ChatView({
  userId,
  chatId,
  writeAs = null,
  onWriteAs,
}: {
  userId: number;
  chatId: string;
  /** Who compose writes as, when not the inbox's account (the link's ?as=). */
  writeAs?: number | null;
  /** "Write as" was switched by hand. */
  onWriteAs: (userId: number) => void;
}) {
  const overview = useChatOverview(chatId);
  const history = useChatHistory(chatId);
  const voices = useVoiceLinks(history.messages);
  const chat = overview.data;
  const people = chat?.users ?? [];
  // Only a person of the chat can write in it; until its people are known, the choice stands.
  const chosen =
    writeAs !== null && (!chat || people.some((p) => p.user_id === writeAs)) ? writeAs : null;
  const author =
    chosen ?? (people.some((p) => p.user_id === userId) ? userId : (people[0]?.user_id ?? userId));
  const [quote, setQuote] = useState<SandboxMessage | null>(null);
  const [deleting, setDeleting] = useState<SandboxMessage | null>(null);

  const names = useMemo(() => new Map(people.map((p) => [p.user_id, p.name])), [people]);
  const nameOf = useCallback((id: number) => names.get(id) || `user ${id}`, [names]);

  const loaded = overview.data !== null || !overview.loading;
  return (
    <section class="chat-view" aria-label="Chat">
      <ChatHeader
        userId={userId}
        chatId={chatId}
        chat={loaded ? chat : undefined}
        onChanged={overview.reload}
      />
      {overview.error && <ErrorNote error={overview.error} />}
      <VoiceLinksContext.Provider value={voices}>
        <MessageList
          history={history}
          viewer={userId}
          nameOf={nameOf}
          actions={{ writeAs: author, onReply: setQuote, onDelete: setDeleting }}
        />
      </VoiceLinksContext.Provider>
      {/* Drawn before the chat's people arrive, so that nothing moves when they do. */}
      {chat !== null || overview.loading || overview.error ? (
        <Compose
          chatId={chatId}
          people={people}
          author={author}
          onAuthor={onWriteAs}
          quote={quote}
          onCancelQuote={() => setQuote(null)}
          nameOf={nameOf}
          onSent={history.afterOwnChange}
          focusOnOpen={writeAs !== null}
        />
      ) : (
        <p class="compose muted">There is no such chat to write in.</p>
      )}
      {deleting && (
        <MessageDeleteDialog
          message={deleting}
          chatId={chatId}
          authorName={nameOf(deleting.author_id)}
          onDone={() => {
            setDeleting(null);
            history.afterOwnChange();
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </section>
  );
}
