// A voice message: a player on the signed link the sandbox hands out (GET /sandbox/v1/voices, as
// getVoiceFiles builds them). A link is good for an hour of the sandbox clock, which the sandbox
// can move: when the player cannot load, it asks for a fresh link once before giving up.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { call } from "../api.ts";
import { ErrorNote } from "./chat-error-note.tsx";

export function MessageVoice({ voiceId }: { voiceId: string | undefined }) {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const retried = useRef(false);

  const load = useCallback(() => {
    if (!voiceId) return;
    call("get", "/sandbox/v1/voices", { query: { voice_ids: [voiceId] } }).then(
      (answer) => {
        const link = answer.voices_urls[voiceId];
        if (link) setUrl(link);
        else setError(new Error("The sandbox has no file for this voice message."));
      },
      (reason: unknown) => setError(reason instanceof Error ? reason : new Error(String(reason))),
    );
  }, [voiceId]);
  useEffect(load, [load]);

  const onError = () => {
    if (retried.current) {
      setError(new Error("The voice file could not be played."));
      return;
    }
    retried.current = true;
    load();
  };

  if (!voiceId) return <p class="muted">Голосовое сообщение (no voice_id)</p>;
  return (
    <div class="message-voice">
      {/* The browser's own player: keyboard-usable and accessible as it is. */}
      {/* biome-ignore lint/a11y/useMediaCaption: a voice message has no transcript to caption. */}
      <audio
        controls
        preload="metadata"
        src={url ?? undefined}
        aria-label="Голосовое сообщение"
        onError={url ? onError : undefined}
        onLoadedMetadata={() => {
          retried.current = false;
        }}
      />
      {error && <ErrorNote error={error} />}
    </div>
  );
}
