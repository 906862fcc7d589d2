// A real webhook receiver on loopback: records every request (raw body and headers, in arrival
// order) and answers as the test says, request by request.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the body had arrived. */
  at: number;
}

/**
 * What to do with a request: a status (with headers and a body, after `delayMs` if given), or
 * "hang" (never answer).
 */
export type Answer =
  | number
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | "hang";

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers for the next requests, in order; when empty, `fallback` answers. */
  script: Answer[];
  fallback: Answer;
  /** The most requests it had received and not yet answered at one time. */
  maxUnanswered: number;
  /** Resolves once `count` requests (matching `filter`) have arrived; rejects after `timeoutMs`. */
  waitFor(
    count: number,
    options?: { timeoutMs?: number; filter?: (r: Received) => boolean },
  ): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(fallback: Answer = 200): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  const receiver: Receiver = {
    url: "",
    received,
    script: [],
    fallback,
    maxUnanswered: 0,
    waitFor: (count, options = {}) => {
      const { timeoutMs = 10_000, filter = () => true } = options;
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = received.filter(filter);
          if (matching.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(matching);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `only ${received.filter(filter).length} of ${count} webhook requests arrived`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: async () => {
      for (const response of hanging) response.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  let unanswered = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        path: request.url ?? "/",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: performance.now(),
      });
      const answer = receiver.script.shift() ?? receiver.fallback;
      unanswered++;
      receiver.maxUnanswered = Math.max(receiver.maxUnanswered, unanswered);
      for (const waiter of [...waiters]) waiter();
      if (answer === "hang") {
        hanging.add(response);
        return;
      }
      const {
        status,
        headers = {},
        body = "",
        delayMs = 0,
      } = typeof answer === "number" ? { status: answer } : answer;
      const reply = () => {
        unanswered--;
        response.writeHead(status, headers).end(body);
      };
      if (delayMs > 0) setTimeout(reply, delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/avito/webhook`;
  return receiver;
}
