// The signed links of the open chat's voice messages (GET /sandbox/v1/voices, as getVoiceFiles
// builds them): one call for every voice id a page of messages brings, not one per message. A
// link lives an hour of the sandbox clock, which the sandbox can move: a player that cannot load
// asks for its link again, and players failing at the same moment (every link of a page expires
// together) share one call.
import { createContext } from "preact";
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { call } from "../api.ts";
import type { SandboxMessage } from "../types.ts";

/** A voice message's link: being asked for (undefined), its URL, or why there is none. */
export type VoiceLink = { url: string } | { error: Error } | undefined;

export interface VoiceLinks {
  linkOf: (voiceId: string) => VoiceLink;
  /** The link did not load: ask for a fresh one. */
  renew: (voiceId: string) => void;
}

export const VoiceLinksContext = createContext<VoiceLinks | null>(null);

export function useVoiceLink(voiceId: string): { link: VoiceLink; renew: () => void } {
  const links = useContext(VoiceLinksContext);
  if (!links) throw new Error("A voice message is drawn outside a chat's VoiceLinksContext");
  return { link: links.linkOf(voiceId), renew: () => links.renew(voiceId) };
}

/** The API takes up to 1,000 ids; fewer keep the URL short. A page holds 50 messages. */
const IDS_PER_CALL = 200;
const NO_FILE = "The sandbox has no file for this voice message.";

function voiceIdsOf(messages: readonly SandboxMessage[]): string[] {
  const ids = new Set<string>();
  for (const message of messages) {
    const id = message.type === "voice" ? message.content?.voice?.voice_id : undefined;
    if (id) ids.add(id);
  }
  return [...ids];
}

export function useVoiceLinks(messages: readonly SandboxMessage[] | null): VoiceLinks {
  const [links, setLinks] = useState<ReadonlyMap<string, VoiceLink>>(new Map());
  // Ids asked for already (answered or in flight): a new page asks only for its new ones.
  const asked = useRef(new Set<string>());
  const renewing = useRef(new Set<string>());
  const renewTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
      if (renewTimer.current) clearTimeout(renewTimer.current);
    },
    [],
  );

  const ask = useCallback((ids: string[]) => {
    for (let at = 0; at < ids.length; at += IDS_PER_CALL) {
      const some = ids.slice(at, at + IDS_PER_CALL);
      for (const id of some) asked.current.add(id);
      call("get", "/sandbox/v1/voices", { query: { voice_ids: some } }).then(
        ({ voices_urls }) => {
          if (!alive.current) return;
          setLinks((had) => {
            const next = new Map(had);
            for (const id of some) {
              const url = voices_urls[id];
              next.set(id, url ? { url } : { error: new Error(NO_FILE) });
            }
            return next;
          });
        },
        (reason: unknown) => {
          if (!alive.current) return;
          const error = reason instanceof Error ? reason : new Error(String(reason));
          setLinks((had) => {
            const next = new Map(had);
            for (const id of some) next.set(id, { error });
            return next;
          });
        },
      );
    }
  }, []);

  useEffect(() => {
    const fresh = voiceIdsOf(messages ?? []).filter((id) => !asked.current.has(id));
    if (fresh.length > 0) ask(fresh);
  }, [messages, ask]);

  const renew = useCallback(
    (voiceId: string) => {
      renewing.current.add(voiceId);
      if (renewTimer.current) return;
      // Players that fail together (their links expired together) fail within a moment.
      renewTimer.current = setTimeout(() => {
        renewTimer.current = null;
        const ids = [...renewing.current];
        renewing.current.clear();
        // Forgotten first, so that even the same link again makes the player load anew.
        setLinks((had) => {
          const next = new Map(had);
          for (const id of ids) next.delete(id);
          return next;
        });
        ask(ids);
      }, 50);
    },
    [ask],
  );

  return useMemo(() => ({ linkOf: (voiceId) => links.get(voiceId), renew }), [links, renew]);
}
