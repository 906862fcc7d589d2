// Writing into the open chat as either participant: "Write as" picks who, then text (Enter
// sends, Shift+Enter breaks the line), a photo, a voice file or a location, optionally quoting a
// message (Reply on it; Escape drops the quote). Each goes through the sandbox API exactly as that
// person's message, webhooks and all; the API's refusal is shown here, with its fields. One send
// at a time: a second Enter or a file picked while one runs is ignored.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChatUser, SandboxMessage } from "../types.ts";
import { useAction } from "../use-action.ts";
import { ComposeLocation } from "./compose-location.tsx";
import { type OutgoingMessage, postMessage, uploadImage, uploadVoice } from "./compose-send.ts";
import { ErrorNote } from "./form-field.tsx";
import { Icon, type IconName } from "./message-icon.tsx";
import { previewOf } from "./message-preview.ts";

export interface ComposeProps {
  chatId: string;
  people: ChatUser[];
  author: number;
  onAuthor: (userId: number) => void;
  quote: SandboxMessage | null;
  onCancelQuote: () => void;
  nameOf: (userId: number) => string;
  /** A message went out: the chat view asks for its newest messages. */
  onSent: () => void;
  /** Put the cursor in the message box at once (a chat just made, to be written in). */
  focusOnOpen?: boolean;
}

export function Compose(props: ComposeProps) {
  const { chatId, people, author, quote, nameOf } = props;
  const [text, setText] = useState("");
  // What the running send is doing, for the status line.
  const [doing, setDoing] = useState("");
  const [locationOpen, setLocationOpen] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);

  // Reply puts the cursor where the answer goes.
  useEffect(() => {
    if (quote) textarea.current?.focus();
  }, [quote]);
  // Only when compose first appears.
  useEffect(() => {
    if (props.focusOnOpen) textarea.current?.focus();
  }, []);

  /** Runs one send (resolves true when it went out); refused while another one runs. */
  const {
    run: send,
    busy,
    error,
  } = useAction(async (what: string, message: () => Promise<OutgoingMessage>) => {
    setDoing(what);
    await postMessage(chatId, author, await message(), quote?.id ?? null);
    props.onCancelQuote();
    props.onSent();
  });

  const sendText = async () => {
    const words = text.trim();
    if (!words) return;
    const sent = await send("Sending…", async () => ({ type: "text", content: { text: words } }));
    if (sent) setText("");
    textarea.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void sendText();
    } else if (event.key === "Escape" && quote) {
      event.preventDefault();
      props.onCancelQuote();
    }
  };

  const sendImage = (file: File) =>
    send("Uploading the photo…", async () => ({
      type: "image",
      content: { image_id: await uploadImage(author, file) },
    }));
  const sendVoice = (file: File) =>
    send("Uploading the voice file…", async () => ({
      type: "voice",
      content: { voice: { voice_id: await uploadVoice(file) } },
    }));

  return (
    <form
      class="compose"
      aria-label="Write a message"
      onSubmit={(event) => {
        event.preventDefault();
        void sendText();
      }}
    >
      {quote && (
        <div class="compose-quote">
          <span class="quote">
            <span class="quote-author">
              Reply to <span lang="ru">{nameOf(quote.author_id)}</span>
            </span>
            <span class="quote-text" lang="ru">
              {previewOf(quote)}
            </span>
          </span>
          <button
            type="button"
            class="quiet"
            onClick={props.onCancelQuote}
            aria-label="Cancel the reply"
          >
            ✕
          </button>
        </div>
      )}
      <div class="compose-tools">
        <fieldset class="pills write-as">
          <legend>Write as</legend>
          {people.map((person) => (
            <label key={person.user_id} class={person.user_id === author ? "chosen" : ""}>
              <input
                type="radio"
                name={`write-as-${chatId}`}
                value={person.user_id}
                checked={person.user_id === author}
                onChange={() => props.onAuthor(person.user_id)}
              />
              <span lang="ru">{person.name || `user ${person.user_id}`}</span>
            </label>
          ))}
        </fieldset>
        <span class="compose-attach">
          <FileButton icon="camera" accept="image/*" disabled={busy} onFile={sendImage}>
            Photo
          </FileButton>
          <FileButton
            icon="mic"
            accept="audio/mp4,audio/*,.mp4,.m4a"
            disabled={busy}
            onFile={sendVoice}
          >
            Voice file
          </FileButton>
          <button
            type="button"
            aria-expanded={locationOpen}
            onClick={() => setLocationOpen((open) => !open)}
          >
            <Icon name="pin" /> Location
          </button>
        </span>
      </div>
      {locationOpen && (
        <ComposeLocation
          busy={busy}
          onCancel={() => setLocationOpen(false)}
          onSend={async (location) => {
            const sent = await send("Sending the location…", async () => ({
              type: "location",
              content: { location },
            }));
            if (sent) setLocationOpen(false);
            return sent;
          }}
        />
      )}
      <div class="compose-line">
        <label class="visually-hidden" for={`compose-text-${chatId}`}>
          Message
        </label>
        <textarea
          id={`compose-text-${chatId}`}
          ref={textarea}
          rows={1}
          maxLength={1000}
          placeholder={`Message as ${nameOf(author)}`}
          value={text}
          onInput={(event) => setText(event.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" class="primary" disabled={busy || text.trim() === ""}>
          Send
        </button>
      </div>
      <p class="compose-status muted small" role="status">
        {busy ? doing : ""}
      </p>
      <ErrorNote error={error} />
    </form>
  );
}

/** A button that picks a file (the input itself hidden, still the one keyboard stop). */
function FileButton({
  icon,
  accept,
  disabled,
  onFile,
  children,
}: {
  icon: IconName;
  accept: string;
  disabled: boolean;
  onFile: (file: File) => unknown;
  children: ComponentChildren;
}) {
  return (
    <label class="file-button">
      <input
        type="file"
        accept={accept}
        class="visually-hidden"
        disabled={disabled}
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          // Emptied, so that picking the same file again sends it again.
          event.currentTarget.value = "";
          if (file) onFile(file);
        }}
      />
      <Icon name={icon} /> {children}
    </label>
  );
}
