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

  /** As call, with the body sent and the answer returned as text (export and import). */
  async callText(method: string, path: string, body?: string): Promise<string> {
    const shown = `${method} /sandbox/v1${path}`;
    let response: Response;
    try {
      response = await fetch(`${this.#connection.url}/sandbox/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#connection.adminToken}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
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
