// What both adapters do with a request once its body is read: decide the answer at once (probe,
// forged, echo, duplicate, or accepted) and hand accepted events to the caller only after the
// answer is out. Production cuts a receiver off at 2 seconds and retries it, so slow work inside
// the request would turn into duplicates. Events of one chat are handled one after another, in
// arrival order, as Avito sends them; different chats run side by side.
import { createDeduper, type DeduperLike } from "./webhooks-dedupe.ts";
import { WebhookPayloadError, WebhookSignatureError } from "./webhooks-errors.ts";
import { dedupeKey, isOwnEcho, parseEvent, type WebhookEvent } from "./webhooks-event.ts";
import {
  checkSignature,
  type HeadersLike,
  importSigningKey,
  toBytes,
} from "./webhooks-signature.ts";
import { bodyText } from "./webhooks-verify.ts";

export type OnWebhookEvent = (event: WebhookEvent) => void | Promise<void>;

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
   * a retry would not fix them and would hold up the chat's later deliveries) and of errors
   * thrown by the handler. Default: console.error.
   */
  onError?: (error: unknown, event?: WebhookEvent) => void;
  /** Bodies above this many bytes get 413; default 1 MiB (a delivery is well under 10 KB). */
  maxBodyBytes?: number;
}

export interface ReceiverAnswer {
  status: number;
  body: string;
  /** Set when the event is to be handled: call it once the answer has been sent. */
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

/** Avito's subscription probe: an unsigned `{}` that only needs a 200 within 2 seconds. */
function isProbe(text: string): boolean {
  return text.trim() === "{}";
}

function defaultOnError(error: unknown): void {
  console.error("avito webhook:", error);
}

export function createReceiver(options: WebhookHandlerOptions, onEvent: OnWebhookEvent): Receiver {
  const { secret, skipOwn = true, maxBodyBytes = DEFAULT_MAX_BODY_BYTES } = options;
  if (secret === undefined || secret === "") {
    throw new TypeError("webhook handler: give the client secret, or null to skip the signature");
  }
  if (typeof onEvent !== "function") throw new TypeError("webhook handler: onEvent is missing");
  const onError = options.onError ?? defaultOnError;
  const deduper: DeduperLike | null =
    options.dedupe === false
      ? null
      : options.dedupe === true || options.dedupe === undefined
        ? createDeduper()
        : options.dedupe;
  const key = secret === null ? null : importSigningKey(secret);
  const chains = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();

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
      .then(() => onEvent(event))
      .catch(async (error: unknown) => {
        // Let a redelivery of this event through: it was never handled.
        try {
          await deduper?.forget?.(eventKey);
        } catch (forgetError) {
          report(forgetError, event);
        }
        report(error, event);
      });
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
      if (key !== null) {
        try {
          await checkSignature(await key, bytes, headers);
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
      const eventKey = dedupeKey(event);
      if (deduper !== null && (await deduper.seen(eventKey))) {
        return { status: 200, body: "ignored: duplicate" };
      }
      return { status: 200, body: "ok", handle: () => enqueue(event, eventKey) };
    },
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
