// What the buyers' chats hear while a scenario runs: one event stream (GET /sandbox/v1/events)
// per scenario run, its message, chat_read and delivery events logged by chat for the chats the
// buyers opened, and their waiters woken. The stream gives the order things were committed in
// (so "after the buyer's message" is exact) and the moment each arrived (reply times); a GET of
// the chat's messages fills in whatever the stream missed before a wait gives up. A connection
// that brings nothing, not even the server's heartbeat, is taken for dead and followed again.
import type { SandboxClient } from "../cli/sandbox-client.ts";
import { abortable, Interrupted, MAX_TIMER_MS, sleep } from "./abortable.ts";
import type { DeliveryEvent, LiveEvent, SandboxMessage } from "./sandbox-shapes.ts";

/** How long the watch waits before following the stream again after it ended. */
const RECONNECT_MS = 250;
/**
 * How long a connection may bring nothing before it is taken for dead: two of the server's
 * heartbeats (`: ping` every 15 s, routes/sandbox/events.ts) missed.
 */
const SILENCE_MS = 30_000;
/** The most messages GET /chats/{chat_id}/messages answers at once. */
const HISTORY_LIMIT = 500;

export interface LoggedMessage {
  /**
   * Its place in the chat: the order the stream brought it in (events come as committed), or,
   * for one the stream missed, between its neighbours as a GET showed them (not a whole number
   * then). Comparable with the seqs of reads, deliveries and deletions.
   */
  seq: number;
  /** The message as last seen (a later event may show it deleted). */
  message: SandboxMessage;
  /**
   * performance.now() when the stream brought it; null for one the stream missed and a GET found
   * (at a wait's end, or after a resync): the moment of that GET, up to a whole time limit after
   * the message came, says nothing of when it did, so it has no reply time.
   */
  arrivedAt: number | null;
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
  /** Ordered by seq: the chat's own order. */
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

  /** A message event of the stream, heard at `seq`: a new message, or one deleted. */
  record(message: SandboxMessage, seq: number): void {
    const known = this.#byId.get(message.id);
    if (known) this.#update(known, message, () => seq);
    else this.#add(message, seq, performance.now());
  }

  /**
   * The chat's messages as GET /chats/{chat_id}/messages answered them (oldest first, the order
   * they were committed in), for what the stream missed. A message the log does not know goes
   * where the answer has it: after the known message before it and before the known one after it
   * (or, at the answer's end, before any message the stream brought meanwhile: written after the
   * answer was read, it is later in the chat), so that a missed buyer message still comes before
   * the bot's reply to it. The seqs of known messages stay, so positions already consumed hold.
   * Where between its neighbours it goes cannot be told against the other events (a read, a
   * deletion) heard in that span; `fresh` numbers those at the end, after every event so far.
   */
  merge(messages: readonly SandboxMessage[], fresh: () => number): void {
    const answered = new Set(messages.map((m) => m.id));
    let before: number | null = null;
    let unknown: SandboxMessage[] = [];
    const place = (after: number | null, next: number | null) => {
      for (const [index, message] of unknown.entries()) {
        const from = after ?? (next === null ? 0 : next - 1);
        const seq =
          next === null ? fresh() : from + ((next - from) * (index + 1)) / (unknown.length + 1);
        this.#add(message, seq, null);
      }
      unknown = [];
    };
    for (const message of messages) {
      const known = this.#byId.get(message.id);
      if (!known) {
        unknown.push(message);
        continue;
      }
      place(before, known.seq);
      this.#update(known, message, fresh);
      before = known.seq;
    }
    // Known messages the answer did not hold, after its last known one: the stream brought them
    // while the answer was on its way. (A chat holds fewer messages than a page: none is older.)
    const later = this.messages
      .filter((m) => !answered.has(m.message.id) && (before === null || m.seq > before))
      .map((m) => m.seq);
    place(before, later.length > 0 ? Math.min(...later) : null);
    this.messages.sort((a, b) => a.seq - b.seq);
  }

  #add(message: SandboxMessage, seq: number, arrivedAt: number | null): void {
    const logged: LoggedMessage = {
      seq,
      message,
      arrivedAt,
      deletedSeq: isDeleted(message) ? seq : null,
    };
    this.messages.push(logged);
    this.#byId.set(message.id, logged);
  }

  /** `seq`: where its deletion, if this is the first sight of it, goes. */
  #update(known: LoggedMessage, message: SandboxMessage, seq: () => number): void {
    known.message = message;
    if (isDeleted(message) && known.deletedSeq === null) known.deletedSeq = seq();
  }

  notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  /**
   * Resolves at the chat's next event or after `ms` (or sooner: no timer runs longer than
   * MAX_TIMER_MS, and a caller waiting longer asks again); throws Interrupted when `signal`
   * aborts.
   */
  changed(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Interrupted(signal.reason));
      const stop = () => {
        clearTimeout(timer);
        this.#listeners.delete(wake);
        signal.removeEventListener("abort", onAbort);
      };
      const wake = () => {
        stop();
        resolve();
      };
      const onAbort = () => {
        stop();
        reject(new Interrupted(signal.reason));
      };
      const timer = setTimeout(wake, Math.min(Math.max(0, ms), MAX_TIMER_MS));
      this.#listeners.add(wake);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function isDeleted(message: SandboxMessage): boolean {
  return message.type === "deleted" || message.deleted !== null;
}

export class ChatWatch {
  readonly #sandbox: SandboxClient;
  readonly #chats = new Map<string, ChatLog>();
  readonly #controller = new AbortController();
  readonly #silenceMs: number;
  #seq = 0;
  #following: Promise<void> = Promise.resolve();

  private constructor(sandbox: SandboxClient, silenceMs: number) {
    this.#sandbox = sandbox;
    this.#silenceMs = silenceMs;
  }

  /**
   * Opens the stream; resolves once the server answered it (nothing is missed from then on).
   * Throws a CliError when it cannot be opened, Interrupted when `signal` aborts first.
   * `silenceMs`: how long a connection may bring nothing at all, not even the server's
   * heartbeat, before it is taken for dead and followed again (tests shorten it).
   */
  static async open(
    sandbox: SandboxClient,
    signal: AbortSignal,
    silenceMs = SILENCE_MS,
  ): Promise<ChatWatch> {
    const watch = new ChatWatch(sandbox, silenceMs);
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
    chat.merge(messages, () => ++this.#seq);
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
      if (signal.aborted) throw new Interrupted(signal.reason);
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
      // One connection: ended by close(), or by a silence longer than two heartbeats (a
      // connection that died without a word, as a half-open TCP one does, would else be
      // followed for ever while every event is lost).
      const connection = new AbortController();
      const end = () => connection.abort();
      signal.addEventListener("abort", end, { once: true });
      let silent = false;
      const silence = setTimeout(() => {
        silent = true;
        connection.abort();
      }, this.#silenceMs);
      try {
        for await (const { id, event, data } of this.#sandbox.events(lastId, connection.signal)) {
          silence.refresh();
          if (event === "open") {
            // Followed again before any event had an id to resume from: the server cannot say
            // what was missed meanwhile, so the chats are read again, as after a `resync`.
            if (isOpen && lastId === null) this.#readAgain();
            isOpen = true;
            opened.resolve();
            continue;
          }
          if (event === "ping") continue;
          if (id) lastId = id;
          this.#heard(data as LiveEvent);
        }
      } catch (error) {
        if (!isOpen) return opened.reject(error);
      } finally {
        clearTimeout(silence);
        signal.removeEventListener("abort", end);
      }
      if (!isOpen) {
        return opened.reject(
          silent
            ? new Error(`GET /sandbox/v1/events did not answer within ${this.#silenceMs / 1000}s`)
            : new Interrupted(),
        );
      }
      // The server closed the stream (a restart, a slow reader) or it fell silent: follow it
      // again from lastId (the server sends what was missed, or `resync`).
      await sleep(RECONNECT_MS, signal).catch(() => {});
    }
  }

  /** Events were lost: every chat is read again (the waits' final GET would, but later). */
  #readAgain(): void {
    for (const chatId of this.#chats.keys()) this.refresh(chatId).catch(() => {});
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
        this.#readAgain();
        return;
      default:
        return;
    }
    chat?.notify();
  }
}
