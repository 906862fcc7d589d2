// Sends a fuzz case with node:http, which (unlike fetch) leaves the path as written (no dot
// segments resolved, no re-encoding), sends any method and a body with any of them. Keep-alive
// connections are shared by the workers; a request that meets a connection the server has just
// closed is sent once more on a new one, so that only the server's own resets are counted.
import { Agent, request } from "node:http";
import type { HttpCase } from "./fuzz-draft.ts";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type SendOutcome = { ok: true; answer: Answer } | { ok: false; error: string };

/** Bodies past this are cut: nothing the fuzzer judges needs more. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class FuzzSender {
  readonly #agent: Agent;
  readonly #host: string;
  readonly #port: number;
  readonly #timeoutMs: number;

  constructor(base: string, concurrency: number, timeoutMs: number) {
    const url = new URL(base);
    this.#host = url.hostname;
    this.#port = Number(url.port);
    this.#timeoutMs = timeoutMs;
    this.#agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  }

  async send(c: HttpCase): Promise<SendOutcome> {
    const first = await this.#once(c, this.#agent);
    if (first.ok || !/ECONNRESET|socket hang up|EPIPE/.test(first.error)) return first;
    return this.#once(c, false);
  }

  close(): void {
    this.#agent.destroy();
  }

  #once(c: HttpCase, agent: Agent | false): Promise<SendOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: SendOutcome) => {
        if (!settled) {
          settled = true;
          resolve(outcome);
        }
      };
      let req: ReturnType<typeof request>;
      try {
        req = request({
          host: this.#host,
          port: this.#port,
          method: c.method,
          path: c.path,
          headers:
            c.body === null ? c.headers : { "content-length": String(c.body.length), ...c.headers },
          agent,
          timeout: this.#timeoutMs,
        });
      } catch (error) {
        settle({ ok: false, error: `not sendable: ${(error as Error).message}` });
        return;
      }
      req.on("response", (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        });
        response.on("end", () =>
          settle({
            ok: true,
            answer: {
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks),
            },
          }),
        );
        response.on("error", (error) => settle({ ok: false, error: error.message }));
      });
      req.on("timeout", () => {
        req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`));
      });
      req.on("error", (error) =>
        settle({
          ok: false,
          error: `${(error as NodeJS.ErrnoException).code ?? ""} ${error.message}`.trim(),
        }),
      );
      if (c.body !== null) req.end(c.body);
      else req.end();
    });
  }
}
