// The receiver as a fetch-style handler, `(Request) => Promise<Response>`: Bun.serve, Deno.serve,
// Cloudflare Workers, Hono and other servers built on the web's Request and Response. Where the
// platform stops work once the response is sent, it passes an object with `waitUntil` (Workers'
// ExecutionContext, as their third argument): the handler finds it among its extra arguments.
import {
  createReceiver,
  type OnWebhookEvent,
  type WebhookHandlerOptions,
} from "./webhooks-receiver.ts";

export interface FetchWebhookHandler {
  (request: Request, ...context: unknown[]): Promise<Response>;
  /** Resolves once every accepted event has been handled. */
  drain(): Promise<void>;
}

interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

function findWaitUntil(context: unknown[]): WaitUntil | undefined {
  return context.find(
    (value): value is WaitUntil =>
      typeof value === "object" &&
      value !== null &&
      typeof (value as Partial<WaitUntil>).waitUntil === "function",
  );
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/**
 * The body, read chunk by chunk up to `max` bytes; null past it, the rest of the stream
 * cancelled. A chunked request has no Content-Length to refuse it by, and `arrayBuffer()` would
 * hold all of it in memory before its size could be known.
 */
async function readBody(request: Request, max: number): Promise<Uint8Array | null> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      // Not awaited: a sender that keeps writing must not hold up the 413.
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const joined = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.byteLength;
  }
  return joined;
}

/**
 * A fetch-style handler that checks each delivery, answers at once (200, or 401 for a forged
 * one) and calls `onEvent` after the answer, once per message.
 */
export function fetchHandler(
  options: WebhookHandlerOptions,
  onEvent: OnWebhookEvent,
): FetchWebhookHandler {
  const receiver = createReceiver(options, onEvent);
  const handler = async (request: Request, ...context: unknown[]): Promise<Response> => {
    try {
      if (request.method !== "POST") return text(405, "POST only");
      if (Number(request.headers.get("content-length")) > receiver.maxBodyBytes) {
        return text(413, "body too large");
      }
      const body = await readBody(request, receiver.maxBodyBytes);
      if (body === null) return text(413, "body too large");
      const result = await receiver.receive(body, request.headers);
      if (result.handle) {
        result.handle();
        findWaitUntil(context)?.waitUntil(receiver.drain());
      }
      return text(result.status, result.body);
    } catch (error) {
      receiver.report(error);
      return text(500, "receiver error");
    }
  };
  return Object.assign(handler, { drain: () => receiver.drain() });
}
