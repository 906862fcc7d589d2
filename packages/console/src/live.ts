// The console's one connection to GET /sandbox/v1/events. EventSource reconnects by itself after a
// dropped connection and sends Last-Event-ID, so the server replays what was missed; when the
// server answered with an error instead (restarting, or the session ended), EventSource gives up,
// and this reconnects with ?last_event_id= after a growing pause. Every page subscribes with
// useLiveEvents; `world` and `resync` tell them to fetch their state again.
import { useEffect, useRef, useState } from "preact/hooks";
import { signedOut } from "./api.ts";
import { sessionState } from "./session.ts";
import type { LiveEvent } from "./types.ts";

export type LiveStatus = "connecting" | "live" | "reconnecting";

type Listener = (event: LiveEvent) => void;

const EVENT_TYPES = ["message", "chat_read", "delivery", "clock", "world", "resync"] as const;

class LiveConnection {
  #source: EventSource | null = null;
  #lastId: string | null = null;
  #retryMs = 1000;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #status: LiveStatus = "connecting";
  #openedBefore = false;
  readonly listeners = new Set<Listener>();
  readonly statusListeners = new Set<(status: LiveStatus) => void>();

  get status(): LiveStatus {
    return this.#status;
  }

  start(): void {
    if (this.#source || this.#timer) return;
    this.#open();
  }

  stop(): void {
    this.#openedBefore = false;
    this.#lastId = null;
    this.#source?.close();
    this.#source = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#setStatus("connecting");
  }

  #open(): void {
    this.#timer = null;
    const query = this.#lastId ? `?last_event_id=${encodeURIComponent(this.#lastId)}` : "";
    const source = new EventSource(`/sandbox/v1/events${query}`);
    this.#source = source;
    source.onopen = () => {
      this.#retryMs = 1000;
      this.#setStatus("live");
      // Back after a drop without any event id to catch up from: the server cannot tell what was
      // missed, so every page fetches its state again (with an id, the server replays or resyncs).
      if (this.#openedBefore && this.#lastId === null) this.#dispatch({ type: "resync" });
      this.#openedBefore = true;
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CONNECTING) {
        this.#setStatus("reconnecting");
        return;
      }
      // CLOSED: the server answered with an error. A session that ended is the sign-in form's
      // business; anything else (a restart, a proxy's 502) is tried again from the last id.
      source.close();
      this.#source = null;
      this.#setStatus("reconnecting");
      this.#timer = setTimeout(() => void this.#retry(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, 15_000);
    };
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message: MessageEvent<string>) => {
        if (message.lastEventId) this.#lastId = message.lastEventId;
        this.#dispatch(JSON.parse(message.data) as LiveEvent);
      });
    }
  }

  async #retry(): Promise<void> {
    this.#timer = null;
    if ((await sessionState()) === "ended") {
      signedOut();
      return;
    }
    if (this.#timer === null && this.#source === null && this.#status !== "connecting") {
      this.#open();
    }
  }

  #dispatch(event: LiveEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  #setStatus(status: LiveStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

export const live = new LiveConnection();

/** Calls `listener` with every live event while the component is mounted (the latest closure). */
export function useLiveEvents(listener: Listener): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    const forward: Listener = (event) => latest.current(event);
    live.listeners.add(forward);
    return () => {
      live.listeners.delete(forward);
    };
  }, []);
}

export function useLiveStatus(): LiveStatus {
  const [status, setStatus] = useState(live.status);
  useEffect(() => {
    live.statusListeners.add(setStatus);
    setStatus(live.status);
    return () => {
      live.statusListeners.delete(setStatus);
    };
  }, []);
  return status;
}
