// A voice message: a player on the signed link the chat view holds for it (pages/chat-voices.ts
// asks for a page's links in one call). A link is good for an hour of the sandbox clock, which
// the sandbox can move: when the player cannot load, it asks for a fresh link once before giving
// up; a link that loads makes it ready to do so again later.
import { useRef, useState } from "preact/hooks";
import { useVoiceLink } from "../pages/chat-voices.ts";
import { ErrorNote } from "./form-field.tsx";

export function MessageVoice({ voiceId }: { voiceId: string | undefined }) {
  if (!voiceId) return <p class="muted">Голосовое сообщение (no voice_id)</p>;
  return <VoicePlayer voiceId={voiceId} />;
}

function VoicePlayer({ voiceId }: { voiceId: string }) {
  const { link, renew } = useVoiceLink(voiceId);
  const renewed = useRef(false);
  const url = link && "url" in link ? link.url : undefined;
  // The link that failed even after a renewal: shown as the player's error.
  const [failed, setFailed] = useState<string | null>(null);

  const onError = () => {
    if (renewed.current) {
      setFailed(url ?? null);
      return;
    }
    renewed.current = true;
    renew();
  };

  const error =
    link && "error" in link
      ? link.error
      : url !== undefined && failed === url
        ? new Error("The voice file could not be played.")
        : null;
  return (
    <div class="message-voice">
      {/* The browser's own player: keyboard-usable and accessible as it is. */}
      {/* biome-ignore lint/a11y/useMediaCaption: a voice message has no transcript to caption. */}
      <audio
        controls
        preload="metadata"
        src={url}
        aria-label="Голосовое сообщение"
        lang="ru"
        onError={url ? onError : undefined}
        onLoadedMetadata={() => {
          renewed.current = false;
        }}
      />
      {error && <ErrorNote error={error} />}
    </div>
  );
}
