// What the sandbox verbs of `beseda` talk to: a running server's /sandbox/v1 over HTTP, with the
// admin token. It never imports the server: the verbs work against any Beseda, local or not.
// A refusal is thrown as a CliError carrying the server's own message and fields.
export class CliError extends Error {}

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

export class SandboxClient {
  readonly #connection: Connection;

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  get url(): string {
    return this.#connection.url;
  }

  /** A sandbox route (`path` after /sandbox/v1); the answer's JSON, or a CliError. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await this.callText(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
    );
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Follows GET /sandbox/v1/events until `signal` aborts or the stream ends: first an "open"
   * once the server has answered (from then on nothing is missed), then each event's id, name
   * and parsed data, in order. Throws a CliError when the stream cannot be opened.
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
          if (data === undefined) continue;
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
  async callText(method: string, path: string, body?: string): Promise<string> {
    return this.#send(
      method,
      path,
      body,
      body === undefined ? {} : { "content-type": "application/json" },
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
    const text = await this.#send("POST", path, form, {});
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  async #send(
    method: string,
    path: string,
    body: string | FormData | undefined,
    headers: Record<string, string>,
  ): Promise<string> {
    const shown = `${method} /sandbox/v1${path}`;
    let response: Response;
    try {
      response = await fetch(`${this.#connection.url}/sandbox/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#connection.adminToken}`, ...headers },
        body,
      });
    } catch (error) {
      const cause =
        (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(
        `no Beseda at ${this.#connection.url} (${cause}); start one with \`npm start\` or give --url`,
      );
    }
    const text = await response.text();
    if (response.ok) return text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.status === 401) {
      throw new CliError(
        `${shown} answered 401: the admin token was refused; give --admin-token (or BESEDA_ADMIN_TOKEN), or --data-dir of the server`,
      );
    }
    throw refusal(response.status, parsed, shown);
  }
}
