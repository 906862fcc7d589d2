// The load's HTTP client: JSON, form and multipart requests to one running Beseda, every answer and
// every failure counted in a Tally shared across restarts. A request that gets no answer throws
// `NoAnswer` after being counted, so load loops can stop on it without counting it twice.
import type { Tally } from "./tally.ts";

export interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  json?: unknown;
  form?: Record<string, string>;
  /** One file in the multipart field `uploadfile[]`, as uploadImages takes it. */
  upload?: Uint8Array;
  signal?: AbortSignal;
}

export class NoAnswer extends Error {}

export class BesedaClient {
  readonly base: string;
  readonly adminToken: string;
  readonly tally: Tally;

  constructor(base: string, adminToken: string, tally: Tally) {
    this.base = base;
    this.adminToken = adminToken;
    this.tally = tally;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | FormData | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(options.form).toString();
    } else if (options.upload) {
      body = new FormData();
      body.append(
        "uploadfile[]",
        new Blob([new Uint8Array(options.upload)], { type: "application/octet-stream" }),
        "upload.bin",
      );
    }
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body,
        signal: options.signal ?? null,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      this.tally.failed(method, path, error);
      throw new NoAnswer(`${method} ${path}: no answer`, { cause: error });
    }
    this.tally.answered(method, path, status, text);
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a media file, an HTML error page): the text is the body.
    }
    return { status, body: parsed as T, text };
  }

  sandbox<T = unknown>(method: string, path: string, json?: unknown): Promise<Answer<T>> {
    return this.request<T>(method, `/sandbox/v1${path}`, {
      token: this.adminToken,
      ...(json === undefined ? {} : { json }),
    });
  }
}
