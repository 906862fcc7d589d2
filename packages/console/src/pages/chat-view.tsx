// The open chat: its header, its messages (both sides, the viewed account's on the right) and
// compose. Holds who the console writes as (the inbox's account unless switched), the message
// being replied to, and the delete waiting for confirmation.
import { useCallback, useMemo, useState } from "preact/hooks";
import { ChatDialog } from "../components/chat-dialog.tsx";
import { ErrorNote } from "../components/chat-error-note.tsx";
import { ChatHeader } from "../components/chat-header.tsx";
import { Compose } from "../components/compose.tsx";
import { deleteMessage } from "../components/compose-send.ts";
import { MessageList } from "../components/message-list.tsx";
import { previewOf } from "../components/message-preview.ts";
import type { SandboxMessage } from "../types.ts";
import { useChatHistory } from "./chat-history.ts";
import { useChatOverview } from "./chat-overview.ts";
import "./chat.css";

export function ChatView({ userId, chatId }: { userId: number; chatId: string }) {
  const overview = useChatOverview(userId, chatId);
  const history = useChatHistory(chatId);
  const chat = overview.data;
  const people = chat?.users ?? [];
  const [chosenAuthor, setAuthor] = useState<number | null>(null);
  const author =
    chosenAuthor ??
    (people.some((p) => p.user_id === userId) ? userId : (people[0]?.user_id ?? userId));
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
      <MessageList
        history={history}
        viewer={userId}
        nameOf={nameOf}
        actions={{ writeAs: author, onReply: setQuote, onDelete: setDeleting }}
      />
      {/* Drawn before the chat's people arrive, so that nothing moves when they do. */}
      {overview.data !== null || overview.loading || overview.error ? (
        <Compose
          chatId={chatId}
          people={people}
          author={author}
          onAuthor={setAuthor}
          quote={quote}
          onCancelQuote={() => setQuote(null)}
          nameOf={nameOf}
          onSent={history.refreshNewest}
        />
      ) : (
        <p class="compose muted">Account {userId} is not in this chat, so it cannot write here.</p>
      )}
      {deleting && (
        <DeleteDialog
          message={deleting}
          chatId={chatId}
          authorName={nameOf(deleting.author_id)}
          onDone={() => {
            setDeleting(null);
            history.refreshNewest();
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </section>
  );
}

function DeleteDialog({
  message,
  chatId,
  authorName,
  onDone,
  onClose,
}: {
  message: SandboxMessage;
  chatId: string;
  authorName: string;
  onDone: () => void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await deleteMessage(chatId, message.id, message.author_id);
      onDone();
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
      setBusy(false);
    }
  };
  return (
    <ChatDialog label="Delete the message" class="confirm" onClose={onClose}>
      <h2>Delete the message?</h2>
      <p>
        As {authorName}: «{previewOf(message)}». Both sides will see «Сообщение удалено» instead,
        and webhooks tell the bot.
      </p>
      {error && <ErrorNote error={error} />}
      <form method="dialog" class="row">
        <button type="button" class="danger" onClick={confirm} disabled={busy}>
          {busy ? "Deleting…" : "Delete"}
        </button>
        <button type="submit" autofocus>
          Cancel
        </button>
      </form>
    </ChatDialog>
  );
}
