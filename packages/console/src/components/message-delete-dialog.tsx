// Deleting a message, confirmed first: as its author, through the sandbox API (the messenger's
// rules: one's own messages, within the hour). Escape, Cancel or the backdrop leave it as it is.
import type { SandboxMessage } from "../types.ts";
import { useAction } from "../use-action.ts";
import { deleteMessage } from "./compose-send.ts";
import { Dialog } from "./dialog.tsx";
import { ErrorNote } from "./form-field.tsx";
import { DELETED_TEXT, previewOf } from "./message-preview.ts";

export function MessageDeleteDialog({
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
  const remove = useAction(async () => {
    await deleteMessage(chatId, message.id, message.author_id);
    onDone();
  });
  return (
    <Dialog
      open
      title="Delete the message?"
      onClose={onClose}
      dismissable={!remove.busy}
      footer={
        <>
          <button type="button" autofocus onClick={onClose} disabled={remove.busy}>
            Cancel
          </button>
          <button type="button" class="danger" onClick={remove.run} disabled={remove.busy}>
            {remove.busy ? "Deleting…" : "Delete"}
          </button>
        </>
      }
    >
      <p class="no-margin">
        As <span lang="ru">{authorName}</span>: «<span lang="ru">{previewOf(message)}</span>». Both
        sides will see «<span lang="ru">{DELETED_TEXT}</span>» instead, and webhooks tell the bot.
      </p>
      <ErrorNote error={remove.error} />
    </Dialog>
  );
}
