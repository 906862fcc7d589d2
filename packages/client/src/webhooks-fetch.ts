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
      const body = new Uint8Array(await request.arrayBuffer());
      if (body.length > receiver.maxBodyBytes) return text(413, "body too large");
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
