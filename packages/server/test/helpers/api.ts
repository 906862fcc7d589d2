// A small HTTP client for tests: raw requests, the sandbox, tokens, and `call`, which reaches an
// operation by its operationId at the document's path and validates what comes back against the
// document (2xx) or the error envelopes (4xx/5xx).
import { findOperation, messengerDocument } from "../../src/http/openapi/contract.ts";
import { assertErrorEnvelope, assertOperationResponse } from "./contract-validator.ts";

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  /** JSON body; a string is sent as-is with a JSON content type. */
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | (string | number)[]>;
}

export interface Credentials {
  user_id: number;
  name: string;
  client_id: string;
  client_secret: string;
}

function queryString(query: RequestOptions["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export class TestApi {
  readonly base: string;
  readonly adminToken: string;

  constructor(base: string, adminToken: string) {
    this.base = base;
    this.adminToken = adminToken;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = typeof options.json === "string" ? options.json : JSON.stringify(options.json);
    }
    const response = await fetch(`${this.base}${path}${queryString(options.query)}`, {
      method,
      headers,
      body,
    });
    const text = await response.text();
    const isJson = response.headers.get("content-type")?.includes("json") && text !== "";
    return {
      status: response.status,
      headers: response.headers,
      body: (isJson ? JSON.parse(text) : text) as T,
      text,
    };
  }

  /** The document's path of an operation with its parameters filled in. */
  pathOf(operationId: string, params: Record<string, string | number>): string {
    const { url } = findOperation(messengerDocument, operationId);
    return url.replaceAll(/:(\w+)/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`${operationId} needs ${name}`);
      return encodeURIComponent(String(value));
    });
  }

  /** Calls an operation and validates the answer against the document. */
  async call<T = unknown>(
    operationId: string,
    options: RequestOptions & { params: Record<string, string | number> },
  ): Promise<ApiResponse<T>> {
    const { method } = findOperation(messengerDocument, operationId);
    const response = await this.request<T>(
      method,
      this.pathOf(operationId, options.params),
      options,
    );
    if (response.status < 300) assertOperationResponse(operationId, response.body);
    else assertErrorEnvelope(response.status, response.body);
    return response;
  }

  async sandbox<T = unknown>(
    method: string,
    path: string,
    json?: unknown,
  ): Promise<ApiResponse<T>> {
    return this.request<T>(method, `/sandbox/v1${path}`, { token: this.adminToken, json });
  }

  private async created<T>(method: string, path: string, json: unknown): Promise<T> {
    const response = await this.sandbox<T>(method, path, json);
    if (response.status !== 201 && response.status !== 200) {
      throw new Error(`${method} ${path} answered ${response.status}: ${response.text}`);
    }
    return response.body;
  }

  createAccount(name: string): Promise<Credentials> {
    return this.created("POST", "/accounts", { name });
  }

  createItem(userId: number, title: string, priceString = "1 000 ₽"): Promise<{ item_id: number }> {
    return this.created("POST", `/accounts/${userId}/items`, { title, price_string: priceString });
  }

  openChat(body: Record<string, unknown>): Promise<{ chat_id: string; user_ids: number[] }> {
    return this.created("POST", "/chats", body);
  }

  post(
    chatId: string,
    authorId: number,
    type: string,
    content: unknown,
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; created: number }> {
    return this.created("POST", `/chats/${encodeURIComponent(chatId)}/messages`, {
      author_id: authorId,
      type,
      content,
      ...extra,
    });
  }

  text(chatId: string, authorId: number, text: string): Promise<{ id: string; created: number }> {
    return this.post(chatId, authorId, "text", { text });
  }

  async advanceClock(seconds: number): Promise<number> {
    return (await this.created<{ now: number }>("POST", "/clock", { advance_seconds: seconds }))
      .now;
  }

  async token(credentials: Pick<Credentials, "client_id" | "client_secret">): Promise<string> {
    const response = await this.request<{ access_token: string }>("POST", "/token", {
      form: { grant_type: "client_credentials", ...credentials },
    });
    if (response.status !== 200)
      throw new Error(`token answered ${response.status}: ${response.text}`);
    return response.body.access_token;
  }
}
