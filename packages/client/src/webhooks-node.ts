// The receiver as a `node:http` request listener (also Express, Koa's `ctx.req`, or anything that
// hands over Node's request and response). Typed structurally, so the package needs no Node
// types and never imports `node:http`.
import {
  createReceiver,
  type OnWebhookEvent,
  type WebhookHandlerOptions,
} from "./webhooks-receiver.ts";

/** What is used of Node's IncomingMessage. */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  headers: { readonly [name: string]: string | readonly string[] | number | undefined };
  /** A body a framework already read (express.raw(), express.text()): used if it is raw. */
  body?: unknown;
}

/** What is used of Node's ServerResponse. */
export interface NodeResponseLike {
  headersSent?: boolean;
  writeHead(statusCode: number, headers?: Record<string, string>): unknown;
  end(body?: string): unknown;
}

export interface NodeWebhookHandler {
  (request: NodeRequestLike, response: NodeResponseLike): void;
  /** Resolves once every accepted event has been handled. */
  drain(): Promise<void>;
}

class BodyTooLarge extends Error {}

const encoder = new TextEncoder();

async function readBody(request: NodeRequestLike, max: number): Promise<Uint8Array> {
  const { body } = request;
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return encoder.encode(body);
  if (typeof body === "object" && body !== null) {
    // A JSON body parser ran first: the bytes the signature covers are gone.
    throw new TypeError(
      "the webhook request's body was already parsed: give the handler the raw body (express.raw())",
    );
  }
  const declared = Number(request.headers["content-length"]);
  if (declared > max) throw new BodyTooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    size += bytes.length;
    if (size > max) throw new BodyTooLarge();
    chunks.push(bytes);
  }
  const joined = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return joined;
}

function answer(response: NodeResponseLike, status: number, body: string, close = false): void {
  if (response.headersSent) return;
  response.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    ...(close ? { connection: "close" } : {}),
  });
  response.end(body);
}

/**
 * A `node:http` listener that checks each delivery, answers at once (200, or 401 for a forged
 * one) and calls `onEvent` after the answer is out, once per message.
 */
export function nodeHandler(
  options: WebhookHandlerOptions,
  onEvent: OnWebhookEvent,
): NodeWebhookHandler {
  const receiver = createReceiver(options, onEvent);
  const handle = async (request: NodeRequestLike, response: NodeResponseLike) => {
    try {
      if (request.method !== "POST") return answer(response, 405, "POST only");
      const body = await readBody(request, receiver.maxBodyBytes);
      const result = await receiver.receive(body, request.headers);
      try {
        answer(response, result.status, result.body);
      } finally {
        // The event is marked seen: it must be handled even if the answer could not be sent.
        result.handle?.();
      }
    } catch (error) {
      // The connection is closed after a 413 so that the rest of the body is not read.
      if (error instanceof BodyTooLarge) return answer(response, 413, "body too large", true);
      receiver.report(error);
      answer(response, 500, "receiver error");
    }
  };
  const listener = (request: NodeRequestLike, response: NodeResponseLike) => {
    void handle(request, response);
  };
  return Object.assign(listener, { drain: () => receiver.drain() });
}
