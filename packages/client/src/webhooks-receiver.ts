// What both adapters do with a request once its body is read: decide the answer at once (probe,
// forged, echo, busy, duplicate, or accepted) and hand accepted events to the caller only after
// the answer is out. Production cuts a receiver off at 2 seconds and retries it, so slow work
// inside the request would turn into duplicates. Events of one chat are handled one after
// another, in arrival order, as Avito sends them; different chats run side by side.
//
// Answering before the work is done means the work can pile up: a handler that hangs (a fetch
// with no timeout) would stall its chat for good and the waiting events would grow without end.
// So each handler gets a deadline, after which the chat moves on, and the events waiting are
// capped: past the cap the answer is 503 and the event is not marked seen, so Avito sends it
// again later, when there is room (the sender, not this process, holds the backlog).
import { createDeduper, type DeduperLike } from "./webhooks-dedupe.ts";
import {
  WebhookHandlerTimeoutError,
  WebhookOverloadError,
  WebhookPayloadError,
  WebhookSignatureError,
} from "./webhooks-errors.ts";
import { dedupeKey, isOwnEcho, parseEvent, type WebhookEvent } from "./webhooks-event.ts";
import { checkSignature, createSigner, type HeadersLike, toBytes } from "./webhooks-signature.ts";
import { bodyText } from "./webhooks-verify.ts";

export interface WebhookEventContext {
  /** Aborted when the handler runs past `handlerTimeoutMs`: pass it to fetch and the like. */
  signal: AbortSignal;
}

export type OnWebhookEvent = (
  event: WebhookEvent,
  context: WebhookEventContext,
) => void | Promise<void>;

export interface WebhookHandlerOptions {
  /**
   * The account's client secret, which signs every delivery. `null` turns the check off, for an
   * endpoint that cannot be checked (production does not document its signature): keep such a
   * URL secret instead.
   */
  secret: string | null;
  /** Drop events already handled: true (default) keeps the last 10,000 in memory; or your own. */
  dedupe?: boolean | DeduperLike;
  /** Ignore the account's own messages (production delivers them too); default true. */
  skipOwn?: boolean;
  /**
   * Told of refused signatures (the request got 401), bodies that are not events (200, dropped:
   * a retry would not fix them and would hold up the chat's later deliveries), events refused
   * while too many wait (503), and of handlers that threw or ran past `handlerTimeoutMs`: such
   * an event was answered 200 already, so Avito will not send it again. Default: console.error.
   */
  onError?: (error: unknown, event?: WebhookEvent) => void;
  /** Bodies above this many bytes get 413; default 1 MiB (a delivery is well under 10 KB). */
  maxBodyBytes?: number;
  /**
   * How long one handler may run before its signal is aborted, it is reported as a
   * WebhookHandlerTimeoutError and the chat's next event starts; default 30,000 ms.
   * `Infinity` waits for ever.
   */
  handlerTimeoutMs?: number;
  /** Events of one chat accepted and not yet handled, at most; more get 503. Default 100. */
  maxPendingPerChat?: number;
  /** Events of all chats accepted and not yet handled, at most; more get 503. Default 1,000. */
  maxPending?: number;
}

export interface ReceiverAnswer {
  status: number;
  body: string;
  /**
   * Set when the event is to be handled: call it once the answer has been sent (the event holds
   * a place among the pending ones until then), even if sending the answer failed.
   */
  handle?: () => void;
}

export interface Receiver {
  receive(rawBody: Uint8Array, headers: HeadersLike): Promise<ReceiverAnswer>;
  report(error: unknown, event?: WebhookEvent): void;
  /** Resolves once every accepted event has been handled (for a graceful shutdown or a test). */
  drain(): Promise<void>;
  readonly maxBodyBytes: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_PENDING_PER_CHAT = 100;
export const DEFAULT_MAX_PENDING = 1000;

/** Avito's subscription probe: an unsigned `{}` that only needs a 200 within 2 seconds. */
function isProbe(text: string): boolean {
  return text.trim() === "{}";
}

function defaultOnError(error: unknown): void {
  console.error("avito webhook:", error);
}

function positive(name: string, value: number, integer: boolean): number {
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`webhook handler: ${name} must be ${integer ? "an integer " : ""}> 0`);
  }
  return value;
}

/**
 * Runs the handler with a deadline. Past it the handler's signal is aborted and the returned
 * promise rejects, though the handler itself cannot be stopped: whatever it does later is
 * ignored (it has been reported once).
 */
async function withDeadline(
  onEvent: OnWebhookEvent,
  event: WebhookEvent,
  timeoutMs: number,
): Promise<void> {
  const controller = new AbortController();
  const work = (async () => onEvent(event, { signal: controller.signal }))();
  if (timeoutMs === Number.POSITIVE_INFINITY) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), timeoutMs);
  });
  try {
    if ((await Promise.race([work, deadline])) !== "late") return;
  } finally {
    clearTimeout(timer);
  }
  const error = new WebhookHandlerTimeoutError(timeoutMs);
  controller.abort(error);
  throw error;
}

export function createReceiver(options: WebhookHandlerOptions, onEvent: OnWebhookEvent): Receiver {
  const { secret, skipOwn = true } = options;
  if (secret === undefined || secret === "") {
    throw new TypeError("webhook handler: give the client secret, or null to skip the signature");
  }
  if (typeof onEvent !== "function") throw new TypeError("webhook handler: onEvent is missing");
  const maxBodyBytes = positive(
    "maxBodyBytes",
    options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    true,
  );
  const handlerTimeoutMs = positive(
    "handlerTimeoutMs",
    options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS,
    false,
  );
  const maxPendingPerChat = positive(
    "maxPendingPerChat",
    options.maxPendingPerChat ?? DEFAULT_MAX_PENDING_PER_CHAT,
    true,
  );
  const maxPending = positive("maxPending", options.maxPending ?? DEFAULT_MAX_PENDING, true);
  const onError = options.onError ?? defaultOnError;
  const deduper: DeduperLike | null =
    options.dedupe === false
      ? null
      : options.dedupe === true || options.dedupe === undefined
        ? createDeduper()
        : options.dedupe;
  const sign = secret === null ? null : createSigner(secret);
  const chains = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();
  // Events accepted (a slot taken before the deduper is asked) and not yet handled or given up.
  const pendingByChat = new Map<string, number>();
  let pending = 0;
  const take = (chatId: string) => {
    pending++;
    pendingByChat.set(chatId, (pendingByChat.get(chatId) ?? 0) + 1);
  };
  const free = (chatId: string) => {
    pending--;
    const left = (pendingByChat.get(chatId) ?? 1) - 1;
    if (left > 0) pendingByChat.set(chatId, left);
    else pendingByChat.delete(chatId);
  };

  const report = (error: unknown, event?: WebhookEvent) => {
    try {
      onError(error, event);
    } catch {
      // A failing error handler must not take the receiver down with it.
    }
  };

  const enqueue = (event: WebhookEvent, eventKey: string) => {
    const chatId = event.payload.value.chat_id;
    const previous = chains.get(chatId) ?? Promise.resolve();
    // A macrotask first, so that the answer is written before the handler takes the thread.
    const next = previous
      .then(() => new Promise((resolve) => setTimeout(resolve, 0)))
      .then(() => withDeadline(onEvent, event, handlerTimeoutMs))
      .catch(async (error: unknown) => {
        // Let a redelivery of this event through: it was never handled (or not to the end).
        try {
          await deduper?.forget?.(eventKey);
        } catch (forgetError) {
          report(forgetError, event);
        }
        report(error, event);
      })
      .finally(() => free(chatId));
    chains.set(chatId, next);
    running.add(next);
    void next.finally(() => {
      running.delete(next);
      if (chains.get(chatId) === next) chains.delete(chatId);
    });
  };

  return {
    maxBodyBytes,
    report,
    async receive(rawBody, headers) {
      const bytes = toBytes(rawBody);
      const text = bodyText(bytes);
      if (isProbe(text)) return { status: 200, body: "ok" };
      if (sign !== null) {
        try {
          await checkSignature(sign, bytes, headers);
        } catch (error) {
          if (!(error instanceof WebhookSignatureError)) throw error;
          report(error);
          return { status: 401, body: "invalid signature" };
        }
      }
      let event: WebhookEvent;
      try {
        event = parseEvent(text);
      } catch (error) {
        if (!(error instanceof WebhookPayloadError)) throw error;
        report(error);
        return { status: 200, body: "ignored: not a message event" };
      }
      if (skipOwn && isOwnEcho(event)) return { status: 200, body: "ignored: own message" };
      // Before the deduper, which would mark the event seen and so drop the retry asked for.
      const chatId = event.payload.value.chat_id;
      const inChat = pendingByChat.get(chatId) ?? 0;
      if (inChat >= maxPendingPerChat || pending >= maxPending) {
        const full = inChat >= maxPendingPerChat;
        report(
          new WebhookOverloadError(
            full ? "maxPendingPerChat" : "maxPending",
            full ? inChat : pending,
          ),
          event,
        );
        return { status: 503, body: "busy: too many events waiting, send it again later" };
      }
      take(chatId);
      const eventKey = dedupeKey(event);
      let duplicate: boolean;
      try {
        duplicate = deduper !== null && (await deduper.seen(eventKey));
      } catch (error) {
        free(chatId);
        throw error;
      }
      if (duplicate) {
        free(chatId);
        return { status: 200, body: "ignored: duplicate" };
      }
      let handed = false;
      const handle = () => {
        if (handed) return;
        handed = true;
        enqueue(event, eventKey);
      };
      return { status: 200, body: "ok", handle };
    },
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
