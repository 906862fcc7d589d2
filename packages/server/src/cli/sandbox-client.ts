// What the sandbox verbs of `beseda` talk to: a running server's /sandbox/v1 over HTTP, with the
// admin token. It never imports the server: the verbs work against any Beseda, local or not.
// A refusal is thrown as a CliError carrying the server's own message and fields; what the user
// can do about an unreachable server or a refused token is the caller's to say (the verbs, the
// runner and the server's own scenario runs each have their own advice), given as hints.
export class CliError extends Error {}

export interface SandboxClientOptions {
  /** Advice after "no Beseda at URL (ECONNREFUSED)", e.g. "start one with `npm start`". */
  unreachableHint?: string;
  /** Advice after "… answered 401: the admin token was refused". */
  unauthorizedHint?: string;
  /** Each request's time limit, ms (the answer's body included); none when not given. */
  timeoutMs?: number;
}

/** What one request may be given: a signal that abandons it (it then throws a CliError). */
export interface RequestOptions {
  signal?: AbortSignal;
}

/** Connection errors that mean nothing listens there (or no such host): not a passing fault. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);

export interface Connection {
  url: string;
  adminToken: string;
}

interface ErrorEnvelope {
  error?: { code?: number; message?: string; fields?: Record<string, string> };
}

function refusal(status: number, body: unknown, path: string): CliError {
  const error = (body as ErrorEnvelope | undefined)?.error;
  const fields = error?.fields
    ? `: ${Object.entries(error.fields)
        .map(([field, reason]) => `${field} ${reason}`)
        .join("; ")}`
    : "";
  return new CliError(`${path} answered ${status}: ${error?.message ?? "no message"}${fields}`);
}

function hinted(hint: string | undefined): string {
  return hint ? `; ${hint}` : "";
}

export class SandboxClient {
  readonly #connection: Connection;
  readonly #options: SandboxClientOptions;

  constructor(connection: Connection, options: SandboxClientOptions = {}) {
    this.#connection = connection;
    this.#options = options;
  }

  get url(): string {
    return this.#connection.url;
  }

  /** A sandbox route (`path` after /sandbox/v1); the answer's JSON, or a CliError. */
  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    const text = await this.callText(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      options,
    );
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Follows GET /sandbox/v1/events until `signal` aborts or the stream ends: first an "open"
   * once the server has answered (from then on nothing is missed), then each event's id, name
   * and parsed data, in order, and a "ping" (no id, data {}) for each block without data: the
   * server's heartbeat comment (`: ping` every 15 s), by which a follower knows the connection
   * lives. Throws a CliError when the stream cannot be opened.
   */
  async *events(
    lastId: string | null,
    signal: AbortSignal,
  ): AsyncGenerator<{ id: string | null; event: string; data: Record<string, unknown> }> {
    let response: Response;
    try {
      response = await fetch(`${this.#connection.url}/sandbox/v1/events`, {
        headers: {
          authorization: `Bearer ${this.#connection.adminToken}`,
          ...(lastId ? { "last-event-id": lastId } : {}),
        },
        signal,
      });
    } catch (error) {
      if (signal.aborted) return;
      throw new CliError(`no Beseda at ${this.#connection.url} (${(error as Error).message})`);
    }
    if (!response.ok || !response.body) {
      throw new CliError(`GET /sandbox/v1/events answered ${response.status}`);
    }
    yield { id: null, event: "open", data: {} };
    const decoder = new TextDecoder();
    let buffer = "";
    // A reader rather than `for await` over the body: the DOM's ReadableStream type (which the
    // console's and SDK's type checks see through the server's test helpers) is not iterable.
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const fields = new Map<string, string>();
          for (const line of buffer.slice(0, end).split("\n")) {
            const colon = line.indexOf(":");
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          buffer = buffer.slice(end + 2);
          const data = fields.get("data");
          if (data === undefined) {
            yield { id: null, event: "ping", data: {} };
            continue;
          }
          yield {
            id: fields.get("id") ?? null,
            event: fields.get("event") ?? "message",
            data: JSON.parse(data) as Record<string, unknown>,
          };
        }
      }
    } catch {
      // Ctrl-C, or the server went away: the caller decides whether to follow again.
    }
  }

  /** As call, with the body sent and the answer returned as text (export and import). */
  async callText(
    method: string,
    path: string,
    body?: string,
    options: RequestOptions = {},
  ): Promise<string> {
    return this.#send(
      method,
      path,
      body,
      body === undefined ? {} : { "content-type": "application/json" },
      options,
    );
  }

  /**
   * POSTs one file as multipart/form-data in `field` (an image in `uploadfile[]`, a voice in
   * `file`); the answer's JSON, or a CliError.
   */
  async upload<T>(
    path: string,
    field: string,
    file: { bytes: Uint8Array; name: string; type: string },
  ): Promise<T> {
    const form = new FormData();
    form.append(field, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
    // fetch sets the content type, with the boundary, from the form.
    const text = await this.#send("POST", path, form, {}, {});
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  async #send(
    method: string,
    path: string,
    body: string | FormData | undefined,
    headers: Record<string, string>,
    options: RequestOptions,
  ): Promise<string> {
    const shown = `${method} /sandbox/v1${path}`;
    const { timeoutMs } = this.#options;
    const timeout = timeoutMs === undefined ? null : AbortSignal.timeout(timeoutMs);
    const signals = [options.signal, timeout].filter((signal) => signal != null);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#connection.url}/sandbox/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#connection.adminToken}`, ...headers },
        body,
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
      });
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw new CliError(`${shown}: interrupted`);
      if (timeout?.aborted) {
        throw new CliError(
          `${shown}: Beseda at ${this.#connection.url} did not answer within ${(timeoutMs ?? 0) / 1000} s`,
        );
      }
      throw this.#connectionError(error);
    }
    if (response.ok) return text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.status === 401) {
      throw new CliError(
        `${shown} answered 401: the admin token was refused${hinted(this.#options.unauthorizedHint)}`,
      );
    }
    throw refusal(response.status, parsed, shown);
  }

  /** A request that got no answer: nothing listening there, or a connection that broke. */
  #connectionError(error: unknown): CliError {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code;
    const reason = code ?? cause?.message ?? (error as Error).message;
    const url = this.#connection.url;
    if (code === undefined || UNREACHABLE.has(code)) {
      return new CliError(
        `no Beseda at ${url} (${reason})${hinted(this.#options.unreachableHint)}`,
      );
    }
    // ECONNRESET under load, a socket closed mid-answer: it was there.
    return new CliError(`the connection to Beseda at ${url} failed (${reason})`);
  }
}
