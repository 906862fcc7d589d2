// Writing into the open chat as either participant: "Write as" picks who, then text (Enter
// sends, Shift+Enter breaks the line), a photo, a voice file or a location, optionally quoting a
// message (Reply on it; Escape drops the quote). Each goes through the sandbox API exactly as that
// person's message, webhooks and all; the API's refusal is shown here, with its fields.
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChatUser, SandboxMessage } from "../types.ts";
import { ErrorNote } from "./chat-error-note.tsx";
import { ComposeLocation } from "./compose-location.tsx";
import { type OutgoingMessage, postMessage, uploadImage, uploadVoice } from "./compose-send.ts";
import { Icon } from "./message-icon.tsx";
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
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
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

  /** Runs one send; true when it went out. */
  const send = async (what: string, work: () => Promise<OutgoingMessage>): Promise<boolean> => {
    setBusy(what);
    setError(null);
    try {
      await postMessage(chatId, author, await work(), quote?.id ?? null);
      props.onCancelQuote();
      props.onSent();
      return true;
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
      return false;
    } finally {
      setBusy(null);
    }
  };

  const sendText = async () => {
    const words = text.trim();
    if (!words || busy) return;
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

  const onFile = (kind: "image" | "voice") => async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    if (kind === "image") {
      await send("Uploading the photo…", async () => ({
        type: "image",
        content: { image_id: await uploadImage(author, file) },
      }));
    } else {
      await send("Uploading the voice file…", async () => ({
        type: "voice",
        content: { voice: { voice_id: await uploadVoice(file) } },
      }));
    }
  };

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
            <span class="quote-author">Reply to {nameOf(quote.author_id)}</span>
            <span class="quote-text">{previewOf(quote)}</span>
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
        <fieldset class="write-as">
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
              {person.name || `user ${person.user_id}`}
            </label>
          ))}
        </fieldset>
        <span class="compose-attach">
          <label class="file-button">
            <input
              type="file"
              accept="image/*"
              class="visually-hidden"
              disabled={busy !== null}
              onChange={onFile("image")}
            />
            <Icon name="camera" /> Photo
          </label>
          <label class="file-button">
            <input
              type="file"
              accept="audio/mp4,audio/*,.mp4,.m4a"
              class="visually-hidden"
              disabled={busy !== null}
              onChange={onFile("voice")}
            />
            <Icon name="mic" /> Voice file
          </label>
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
          busy={busy !== null}
          onCancel={() => setLocationOpen(false)}
          onSend={async (location) => {
            const sent = await send("Sending the location…", async () => ({
              type: "location",
              content: { location },
            }));
            if (sent) setLocationOpen(false);
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
        <button type="submit" class="primary" disabled={busy !== null || text.trim() === ""}>
          Send
        </button>
      </div>
      <p class="compose-status muted small" role="status">
        {busy ?? ""}
      </p>
      {error && <ErrorNote error={error} />}
    </form>
  );
}
