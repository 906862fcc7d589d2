// What the buyers' chats hear while a scenario runs: one event stream (GET /sandbox/v1/events)
// per scenario run, its message, chat_read and delivery events logged by chat for the chats the
// buyers opened, and their waiters woken. The stream gives the order things were committed in
// (so "after the buyer's message" is exact) and the moment each arrived (reply times); a GET of
// the chat's messages fills in whatever the stream missed before a wait gives up.
import type { SandboxClient } from "../cli/sandbox-client.ts";
import { abortable, Interrupted, sleep } from "./abortable.ts";
import type { DeliveryEvent, LiveEvent, SandboxMessage } from "./sandbox-shapes.ts";

/** How long the watch waits before following the stream again after it ended. */
const RECONNECT_MS = 250;
/** The most messages GET /chats/{chat_id}/messages answers at once. */
const HISTORY_LIMIT = 500;

export interface LoggedMessage {
  /** The watch's order of first sight: the chat's own order, as events come as committed. */
  seq: number;
  /** The message as last seen (a later event may show it deleted). */
  message: SandboxMessage;
  /** performance.now() when it was first seen. */
  arrivedAt: number;
  /** The seq of the event that showed it deleted; null while it is not. */
  deletedSeq: number | null;
}

export interface LoggedRead {
  seq: number;
  userId: number;
  /** Unix seconds of the sandbox clock. */
  at: number;
}

export interface LoggedDelivery {
  seq: number;
  event: DeliveryEvent;
}

/** One chat as the watch heard it. */
export class ChatLog {
  readonly chatId: string;
  readonly messages: LoggedMessage[] = [];
  readonly reads: LoggedRead[] = [];
  readonly deliveries: LoggedDelivery[] = [];
  readonly #byId = new Map<string, LoggedMessage>();
  readonly #listeners = new Set<() => void>();

  constructor(chatId: string) {
    this.chatId = chatId;
  }

  /** Where `messageId` was first seen, or (`deleted`) seen deleted; null while it was not. */
  seqOf(messageId: string, deleted: boolean): number | null {
    const logged = this.#byId.get(messageId);
    if (!logged) return null;
    return deleted ? logged.deletedSeq : logged.seq;
  }

  find(messageId: string): LoggedMessage | undefined {
    return this.#byId.get(messageId);
  }

  record(message: SandboxMessage, seq: number): void {
    const known = this.#byId.get(message.id);
    const deleted = message.type === "deleted" || message.deleted !== null;
    if (known) {
      known.message = message;
      if (deleted && known.deletedSeq === null) known.deletedSeq = seq;
      return;
    }
    const logged = { seq, message, arrivedAt: performance.now(), deletedSeq: deleted ? seq : null };
    this.messages.push(logged);
    this.#byId.set(message.id, logged);
  }

  notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  /** Resolves at the chat's next event or after `ms`; throws Interrupted when `signal` aborts. */
  changed(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Interrupted());
      const done = () => {
        clearTimeout(timer);
        this.#listeners.delete(done);
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        done();
        reject(new Interrupted());
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#listeners.add(done);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

export class ChatWatch {
  readonly #sandbox: SandboxClient;
  readonly #chats = new Map<string, ChatLog>();
  readonly #controller = new AbortController();
  #seq = 0;
  #following: Promise<void> = Promise.resolve();

  private constructor(sandbox: SandboxClient) {
    this.#sandbox = sandbox;
  }

  /**
   * Opens the stream; resolves once the server answered it (nothing is missed from then on).
   * Throws a CliError when it cannot be opened, Interrupted when `signal` aborts first.
   */
  static async open(sandbox: SandboxClient, signal: AbortSignal): Promise<ChatWatch> {
    const watch = new ChatWatch(sandbox);
    const opened = Promise.withResolvers<void>();
    watch.#following = watch.#follow(opened);
    try {
      await abortable(opened.promise, signal);
    } catch (error) {
      await watch.close();
      throw error;
    }
    return watch;
  }

  /** The chat's log, started now: open it before anything can happen in the chat. */
  follow(chatId: string): ChatLog {
    let chat = this.#chats.get(chatId);
    if (!chat) {
      chat = new ChatLog(chatId);
      this.#chats.set(chatId, chat);
    }
    return chat;
  }

  /** Reads the chat's messages (GET) into its log: whatever the stream has not brought yet. */
  async refresh(chatId: string): Promise<void> {
    const chat = this.follow(chatId);
    const { messages } = await this.#sandbox.call<{ messages: SandboxMessage[] }>(
      "GET",
      `/chats/${encodeURIComponent(chatId)}/messages?limit=${HISTORY_LIMIT}`,
    );
    for (const message of messages) chat.record(message, ++this.#seq);
    chat.notify();
  }

  /**
   * Asks `probe` at once and after each event of the chat until it answers (not null) or
   * `deadline` (performance.now() ms) passes: then null. Throws Interrupted when `signal` aborts.
   */
  async waitUntil<T>(
    chatId: string,
    deadline: number,
    signal: AbortSignal,
    probe: () => T | null,
  ): Promise<T | null> {
    const chat = this.follow(chatId);
    for (;;) {
      if (signal.aborted) throw new Interrupted();
      const found = probe();
      if (found !== null) return found;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      await chat.changed(left, signal);
    }
  }

  /** Stops following the stream. */
  async close(): Promise<void> {
    this.#controller.abort();
    await this.#following;
  }

  async #follow(opened: PromiseWithResolvers<void>): Promise<void> {
    const signal = this.#controller.signal;
    let isOpen = false;
    let lastId: string | null = null;
    while (!signal.aborted) {
      try {
        for await (const { id, event, data } of this.#sandbox.events(lastId, signal)) {
          if (event === "open") {
            isOpen = true;
            opened.resolve();
            continue;
          }
          if (id) lastId = id;
          this.#heard(data as LiveEvent);
        }
      } catch (error) {
        if (!isOpen) return opened.reject(error);
      }
      if (!isOpen) return opened.reject(new Interrupted());
      // The server closed the stream (a restart, a slow reader): follow it again from lastId.
      await sleep(RECONNECT_MS, signal).catch(() => {});
    }
  }

  #heard(event: LiveEvent): void {
    const seq = ++this.#seq;
    let chat: ChatLog | undefined;
    switch (event.type) {
      case "message":
        chat = this.#chats.get(event.message.chat_id);
        chat?.record(event.message, seq);
        break;
      case "chat_read":
        chat = this.#chats.get(event.chat_id);
        chat?.reads.push({ seq, userId: event.user_id, at: event.at });
        break;
      case "delivery":
        chat = this.#chats.get(event.chat_id);
        chat?.deliveries.push({ seq, event });
        break;
      case "resync":
        // Events were lost: read every chat again (the waits' final GET would, later).
        for (const chatId of this.#chats.keys()) this.refresh(chatId).catch(() => {});
        return;
      default:
        return;
    }
    chat?.notify();
  }
}
