// The client: one method per operation of the messenger document (named after its operationId)
// plus getAccessToken, all through one request path that takes from the budget, attaches and
// renews the token, classifies failures and retries what is safe to retry. Sends are never sent
// a second time without first checking the chat (send-verify.ts), and checks never overlap the
// client's other sends to the chat (send-gate.ts). Single-use grants are never sent twice.
// Paging and webhooks live in their own modules and use only this class's public methods.
import { either, untilAborted } from "./abortable.ts";
import { RequestBudget } from "./budget.ts";
import { type Clock, systemClock } from "./clock.ts";
import {
  AvitoConnectionError,
  type AvitoError,
  AvitoGrantLostError,
  AvitoRateLimitError,
  AvitoSendUnverifiedError,
  errorForResponse,
  isTokenRejection,
  retryAfterMs,
} from "./errors.ts";
import { exchange } from "./http.ts";
import type {
  BlacklistBody,
  BlacklistResult,
  Chat,
  ChatReadResult,
  Chats,
  DeleteMessageResult,
  GetChatsQuery,
  GetMessagesQuery,
  Message,
  Messages,
  SendImageMessageBody,
  SendMessageBody,
  SentImageMessage,
  SentMessage,
  Subscriptions,
  TokenRequest,
  TokenResponse,
  UploadedImages,
  UserInfoSelf,
  VoiceFiles,
  WebhookResult,
  WebhookSubscribeBody,
  WebhookUnsubscribeBody,
} from "./operation-types.ts";
import {
  type AvitoMessengerOptions,
  type CallOptions,
  DEFAULT_BASE_URL,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_REFRESH_MARGIN_MS,
  DEFAULT_SEND_GRACE_MS,
  DEFAULT_TIMEOUT_MS,
} from "./options.ts";
import { retryDelayMs, retryReason } from "./retry-policy.ts";
import { SendGate } from "./send-gate.ts";
import { findSent, type SentContent, VERIFY_PAGE_SIZE } from "./send-verify.ts";
import { TokenManager } from "./token-manager.ts";
import { MemoryTokenStore, type StoredToken } from "./token-store.ts";

type Query = Record<string, string | number | boolean | undefined>;

interface RequestSpec {
  operation: string;
  method: "GET" | "POST";
  path: string;
  query?: Query | URLSearchParams;
  json?: unknown;
  form?: URLSearchParams;
  multipart?: FormData;
  /** Bearer token needed (everything but /token). */
  auth: boolean;
  /** A send: on a lost answer, look for it in the chat before sending again. */
  send?: { chatId: string; content: SentContent };
  /** A single-use grant (refresh token, authorization code): never sent a second time. */
  singleUse?: "refresh_token" | "authorization_code";
}

/**
 * Seconds of doubt about "since the attempt" when the server's clock is known (a Date header or
 * a `created` is whole seconds) and when not (the machines' clocks may differ).
 */
const CLOCK_SLACK_KNOWN_S = 1;
const CLOCK_SLACK_UNKNOWN_S = 120;

export class AvitoMessenger {
  readonly baseUrl: string;
  readonly #options: AvitoMessengerOptions;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #budget: RequestBudget | undefined;
  readonly #tokens: TokenManager;
  #userId: number | undefined;
  #userIdInFlight: Promise<number> | undefined;
  /** Server clock minus ours, ms; from send answers' `created` (exact) or `Date` headers. */
  #skewMs: number | undefined;
  #skewFromMessages = false;
  /** Messages of this client's sends (answered or found by a check): never claimed twice. */
  readonly #claimed = new Set<string>();
  readonly #sends = new SendGate();

  constructor(options: AvitoMessengerOptions = {}) {
    this.#options = options;
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    // Bound so that a `fetch` taken from globalThis keeps its receiver in browsers.
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#budget =
      options.budget === false ? undefined : new RequestBudget(options.budget ?? {}, this.#clock);
    this.#userId = options.userId;
    this.#tokens = new TokenManager({
      store: options.tokenStore ?? new MemoryTokenStore(),
      key: options.tokenStoreKey ?? `avito-messenger:${options.clientId ?? "anonymous"}`,
      clock: this.#clock,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      refreshToken: options.refreshToken,
      refreshMarginMs: options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS,
      grant: (form) => this.getAccessToken(form),
      onStoreError: options.onTokenStoreError,
    });
  }

  // ── Tokens ────────────────────────────────────────────────────────────────────────────────

  /**
   * `POST /token`: any of the three grants, as a form. The client calls it itself; call it
   * directly only to manage tokens by hand.
   */
  getAccessToken(form: TokenRequest, options?: CallOptions): Promise<TokenResponse> {
    const grant = (form as { grant_type?: unknown }).grant_type;
    return this.#request<TokenResponse>(
      {
        operation: "getAccessToken",
        method: "POST",
        path: "/token",
        form: new URLSearchParams(form as unknown as Record<string, string>),
        auth: false,
        ...(grant === "refresh_token" || grant === "authorization_code"
          ? { singleUse: grant }
          : {}),
      },
      options,
    );
  }

  /**
   * Exchanges the code the consent page sent back (authorization_code flow) for an access and a
   * refresh token, which the client then keeps and renews. Repeat the `redirect_uri` if the
   * consent request named one.
   */
  exchangeCode(code: string, redirectUri?: string): Promise<StoredToken> {
    return this.#tokens.exchangeCode(code, redirectUri);
  }

  /** The token the client holds now (undefined before its first call). */
  get token(): StoredToken | undefined {
    return this.#tokens.current;
  }

  /** How many tokens this client obtained from /token (first one included). */
  get tokenGrants(): number {
    return this.#tokens.grants;
  }

  // ── The account ───────────────────────────────────────────────────────────────────────────

  /** `GET /core/v1/accounts/self`: the authorised account (its `id` is the paths' `user_id`). */
  getUserInfoSelf(options?: CallOptions): Promise<UserInfoSelf> {
    return this.#request<UserInfoSelf>(
      { operation: "getUserInfoSelf", method: "GET", path: "/core/v1/accounts/self", auth: true },
      options,
    );
  }

  /** The account acted for: the `userId` option, else learned once from getUserInfoSelf. */
  async userId(options?: CallOptions): Promise<number> {
    if (this.#userId !== undefined) return this.#userId;
    // One lookup for every caller, so it runs with no caller's signal or timeout: one caller
    // giving up must not fail the others. Each caller stops waiting on its own signal.
    this.#userIdInFlight ??= this.getUserInfoSelf()
      .then((self) => {
        this.#userId = self.id;
        return self.id;
      })
      .finally(() => {
        this.#userIdInFlight = undefined;
      });
    return untilAborted(this.#userIdInFlight, options?.signal);
  }

  async #accountPath(suffix: string, options?: CallOptions): Promise<string> {
    return `/accounts/${await this.userId(options)}${suffix}`;
  }

  // ── Chats and messages ────────────────────────────────────────────────────────────────────

  /**
   * A page of chats, newest activity first. Note the server's defaults: `chat_types` only `u2i`,
   * `limit` 100, `offset` 0..1000 (beyond is a 400, not an empty page).
   */
  async getChatsV2(query: GetChatsQuery = {}, options?: CallOptions): Promise<Chats> {
    const path = `/messenger/v2${await this.#accountPath("/chats", options)}`;
    return this.#request<Chats>(
      {
        operation: "getChatsV2",
        method: "GET",
        path,
        query: {
          item_ids: query.item_ids?.join(","),
          unread_only: query.unread_only,
          chat_types: query.chat_types?.join(","),
          limit: query.limit,
          offset: query.offset,
        },
        auth: true,
      },
      options,
    );
  }

  /** One chat with its users, item context and last message. */
  async getChatByIdV2(chatId: string, options?: CallOptions): Promise<Chat> {
    const path = `/messenger/v2${await this.#accountPath(`/chats/${enc(chatId)}`, options)}`;
    return this.#request<Chat>(
      { operation: "getChatByIdV2", method: "GET", path, auth: true },
      options,
    );
  }

  /** A page of a chat's messages, newest first. Does not mark the chat read (chatRead does). */
  async getMessagesV3(
    chatId: string,
    query: GetMessagesQuery = {},
    options?: CallOptions,
  ): Promise<Messages> {
    const path = `/messenger/v3${await this.#accountPath(`/chats/${enc(chatId)}/messages/`, options)}`;
    return this.#request<Messages>(
      {
        operation: "getMessagesV3",
        method: "GET",
        path,
        query: { limit: query.limit, offset: query.offset },
        auth: true,
      },
      options,
    );
  }

  /**
   * Sends a text message (at most 1000 characters). Never sent twice: if the answer is lost,
   * the chat is checked first (see the `sendRetry` option). A string is taken as the text.
   */
  async postSendMessage(
    chatId: string,
    body: SendMessageBody | string,
    options?: CallOptions,
  ): Promise<SentMessage> {
    const json: SendMessageBody =
      typeof body === "string" ? { message: { text: body }, type: "text" } : body;
    const path = `/messenger/v1${await this.#accountPath(`/chats/${enc(chatId)}/messages`, options)}`;
    return this.#request<SentMessage>(
      {
        operation: "postSendMessage",
        method: "POST",
        path,
        json,
        auth: true,
        send: { chatId, content: { type: "text", text: json.message.text } },
      },
      options,
    );
  }

  /** Sends an uploaded image (its id from uploadImages); never sent twice, as postSendMessage. */
  async postSendImageMessage(
    chatId: string,
    body: SendImageMessageBody,
    options?: CallOptions,
  ): Promise<SentImageMessage> {
    const path = `/messenger/v1${await this.#accountPath(`/chats/${enc(chatId)}/messages/image`, options)}`;
    return this.#request<SentImageMessage>(
      {
        operation: "postSendImageMessage",
        method: "POST",
        path,
        json: body,
        auth: true,
        send: { chatId, content: { type: "image", imageId: body.image_id } },
      },
      options,
    );
  }

  /**
   * Uploads one image (JPEG, HEIC, GIF, BMP or PNG, at most 24 MB) as `uploadfile[]`. The answer
   * is keyed by the new image's id; `Object.keys(result)[0]` is what postSendImageMessage takes.
   */
  async uploadImages(
    image: Blob | ArrayBuffer | Uint8Array,
    options?: CallOptions & { fileName?: string },
  ): Promise<UploadedImages> {
    const path = `/messenger/v1${await this.#accountPath("/uploadImages", options)}`;
    const blob = image instanceof Blob ? image : new Blob([image as BlobPart]);
    const multipart = new FormData();
    multipart.append("uploadfile[]", blob, options?.fileName ?? "image");
    return this.#request<UploadedImages>(
      { operation: "uploadImages", method: "POST", path, multipart, auth: true },
      options,
    );
  }

  /** Marks the chat read for the account. */
  async chatRead(chatId: string, options?: CallOptions): Promise<ChatReadResult> {
    const path = `/messenger/v1${await this.#accountPath(`/chats/${enc(chatId)}/read`, options)}`;
    return this.#request<ChatReadResult>(
      { operation: "chatRead", method: "POST", path, auth: true },
      options,
    );
  }

  /** Deletes one of the account's own messages (within an hour); it stays as type `deleted`. */
  async deleteMessage(
    chatId: string,
    messageId: string,
    options?: CallOptions,
  ): Promise<DeleteMessageResult> {
    const path = `/messenger/v1${await this.#accountPath(
      `/chats/${enc(chatId)}/messages/${enc(messageId)}`,
      options,
    )}`;
    return this.#request<DeleteMessageResult>(
      { operation: "deleteMessage", method: "POST", path, auth: true },
      options,
    );
  }

  /** Links (valid one hour) to voice messages' files, by the `voice_id`s of their content. */
  async getVoiceFiles(voiceIds: readonly string[], options?: CallOptions): Promise<VoiceFiles> {
    const path = `/messenger/v1${await this.#accountPath("/getVoiceFiles", options)}`;
    // Repeated keys, as production's own clients send them.
    const query = new URLSearchParams();
    for (const id of voiceIds) query.append("voice_ids", id);
    return this.#request<VoiceFiles>(
      { operation: "getVoiceFiles", method: "GET", path, query, auth: true },
      options,
    );
  }

  /** Adds users to the account's blacklist. */
  async postBlacklistV2(body: BlacklistBody, options?: CallOptions): Promise<BlacklistResult> {
    const path = `/messenger/v2${await this.#accountPath("/blacklist", options)}`;
    return this.#request<BlacklistResult>(
      { operation: "postBlacklistV2", method: "POST", path, json: body, auth: true },
      options,
    );
  }

  // ── Webhook subscriptions ─────────────────────────────────────────────────────────────────

  /**
   * Subscribes `url` to the account's new messages. An account holds ONE subscription: this
   * replaces any other (another CRM's included). The URL must answer the probe with 200 in 2 s.
   */
  postWebhookV3(body: WebhookSubscribeBody, options?: CallOptions): Promise<WebhookResult> {
    return this.#request<WebhookResult>(
      {
        operation: "postWebhookV3",
        method: "POST",
        path: "/messenger/v3/webhook",
        json: body,
        auth: true,
      },
      options,
    );
  }

  postWebhookUnsubscribe(
    body: WebhookUnsubscribeBody,
    options?: CallOptions,
  ): Promise<WebhookResult> {
    return this.#request<WebhookResult>(
      {
        operation: "postWebhookUnsubscribe",
        method: "POST",
        path: "/messenger/v1/webhook/unsubscribe",
        json: body,
        auth: true,
      },
      options,
    );
  }

  /** The account's subscriptions (a POST, as production has it). */
  getSubscriptions(options?: CallOptions): Promise<Subscriptions> {
    return this.#request<Subscriptions>(
      {
        operation: "getSubscriptions",
        method: "POST",
        path: "/messenger/v1/subscriptions",
        auth: true,
      },
      options,
    );
  }

  // ── The request path ──────────────────────────────────────────────────────────────────────

  async #request<T>(spec: RequestSpec, options: CallOptions = {}): Promise<T> {
    const maxRetries = this.#options.maxRetries ?? DEFAULT_MAX_RETRIES;
    const startedAt = this.#clock.now();
    let renewedToken = false;
    let retries = 0;
    for (let attempt = 1; ; attempt++) {
      await this.#budget?.take(options.signal);
      const token = spec.auth
        ? await this.#awaitToken(spec.operation, options, this.#tokens.accessToken())
        : undefined;
      let error: AvitoError;
      try {
        const answer = await this.#exchange(spec, token, options);
        this.#budget?.observe(answer.headers);
        this.#learnSkewFromDate(answer.headers);
        if (answer.status >= 200 && answer.status < 300) {
          if (spec.send) this.#learnSkewFromSend(answer.body);
          return answer.body as T;
        }
        error = errorForResponse(
          spec.operation,
          answer.status,
          answer.body,
          answer.headers,
          this.#clock.now(),
        );
        // A refused token was not used for anything: renew it (once per call, shared by every
        // call that saw the same token refused) and try again without counting a retry.
        if (token !== undefined && !renewedToken && isTokenRejection(answer.status, answer.body)) {
          renewedToken = true;
          await this.#awaitToken(spec.operation, options, this.#tokens.rejected(token));
          continue;
        }
      } catch (thrown) {
        if (!(thrown instanceof AvitoConnectionError)) throw thrown;
        error = thrown;
      }
      const reason = retryReason(error);
      if (reason === undefined) throw error;
      if (spec.singleUse && !nothingDone(error)) throw grantLost(spec.singleUse, error);
      const hinted = error.headers ? retryAfterMs(error.headers, this.#clock.now()) : undefined;
      // A wait longer than the caller would sit through: tell them now, with the server's wait.
      const maxRetryAfter = this.#options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
      if (error instanceof AvitoRateLimitError && hinted !== undefined && hinted > maxRetryAfter)
        throw error;
      // A 429 is refused before anything is done; a 5xx or no answer may hide a stored send.
      if (spec.send && reason !== "rate-limit") {
        if (this.#options.sendRetry === "never") throw error;
        const last = retries >= maxRetries;
        if (!last) retries += 1;
        const backoffMs = last ? 0 : retryDelayMs(retries, hinted, this.#backoff, this.#random);
        // Wait first, then look: a send the server is still writing (after our timeout, or a
        // gateway's 504) lands during the wait instead of after the look.
        const graceMs = mayStillBeWriting(error)
          ? (this.#options.sendGraceMs ?? DEFAULT_SEND_GRACE_MS)
          : 0;
        const delayMs = Math.max(backoffMs, graceMs);
        await this.#clock.sleep(delayMs, options.signal);
        const stored = await this.#findStoredSend(spec.send, startedAt, error, options);
        if (stored !== undefined) return stored as T;
        // Out of retries: the chat was just checked and does not hold it, so the send's own
        // error says it was not stored (rather than "maybe").
        if (last) throw error;
        this.#options.onRetry?.({
          operation: spec.operation,
          attempt,
          delayMs,
          reason,
          error,
          verified: true,
        });
        continue;
      }
      if (retries >= maxRetries) throw error;
      retries += 1;
      const delayMs = retryDelayMs(retries, hinted, this.#backoff, this.#random);
      // The server's wait applies to every call of this client, not only this one.
      if (error instanceof AvitoRateLimitError && hinted !== undefined) this.#budget?.pause(hinted);
      this.#options.onRetry?.({
        operation: spec.operation,
        attempt,
        delayMs,
        reason,
        error,
        ...(spec.send ? { verified: false } : {}),
      });
      await this.#clock.sleep(delayMs, options.signal);
    }
  }

  get #backoff() {
    return this.#options.backoff ?? {};
  }

  /** One attempt; a send's goes through the chat's gate and claims its message on success. */
  async #exchange(spec: RequestSpec, token: string | undefined, options: CallOptions) {
    const request = this.#httpRequest(spec, token, options);
    if (!spec.send) return exchange(this.#fetch, request);
    return this.#sends.send(
      spec.send.chatId,
      async () => {
        const answer = await exchange(this.#fetch, request);
        // Claimed before the gate opens, so no check of another send can take it.
        if (answer.status >= 200 && answer.status < 300)
          this.#claim((answer.body as { id?: unknown } | undefined)?.id);
        return answer;
      },
      options.signal,
    );
  }

  /**
   * Waits for a token (usually at once; else a renewal shared with other calls) within this
   * call's signal and per-attempt timeout. Nothing was sent, so it is not retried.
   */
  async #awaitToken(
    operation: string,
    options: CallOptions,
    pending: Promise<string>,
  ): Promise<string> {
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await untilAborted(
        pending,
        options.signal ? either(options.signal, timeout) : timeout,
      );
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!timeout.aborted) throw error;
      throw new AvitoConnectionError(`${operation}: no access token within ${timeoutMs} ms`, {
        operation,
        cause: error,
        timedOut: true,
        notSent: true,
      });
    }
  }

  #httpRequest(spec: RequestSpec, token: string | undefined, options: CallOptions) {
    const url = new URL(this.baseUrl + spec.path);
    if (spec.query instanceof URLSearchParams) {
      for (const [key, value] of spec.query) url.searchParams.append(key, value);
    } else if (spec.query) {
      for (const [key, value] of Object.entries(spec.query))
        if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: "application/json" };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let body: string | FormData | URLSearchParams | undefined;
    if (spec.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(spec.json);
    } else if (spec.form) {
      body = spec.form;
    } else if (spec.multipart) {
      body = spec.multipart;
    }
    return {
      operation: spec.operation,
      method: spec.method,
      url: url.toString(),
      headers,
      body,
      timeoutMs: options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: options.signal,
    };
  }

  /**
   * Looks for a send whose answer was lost among the chat's newest messages, alone on the chat
   * (send-gate.ts): every other send of this client to the chat has claimed its message first.
   * The read is a normal call with its own retries. Throws AvitoSendUnverifiedError when the chat
   * cannot be read or a message there may be this send and nothing tells.
   */
  async #findStoredSend(
    send: NonNullable<RequestSpec["send"]>,
    startedAt: number,
    sendError: AvitoError,
    options: CallOptions,
  ): Promise<Message | undefined> {
    const userId = await this.userId(options);
    return this.#sends.check(
      send.chatId,
      async () => {
        let newest: Messages;
        try {
          newest = await this.getMessagesV3(send.chatId, { limit: VERIFY_PAGE_SIZE }, options);
        } catch (readError) {
          if (options.signal?.aborted) throw readError;
          throw unverified(sendError, `the chat could not be read (${describe(readError)})`);
        }
        const slack = this.#skewMs === undefined ? CLOCK_SLACK_UNKNOWN_S : CLOCK_SLACK_KNOWN_S;
        const found = findSent(newest, {
          sent: send.content,
          userId,
          notBefore: Math.floor((startedAt + (this.#skewMs ?? 0)) / 1000) - slack,
          claimed: this.#claimed,
        });
        if (found === "unverifiable")
          throw unverified(sendError, "the chat holds a message of ours that may be it");
        this.#claim(found?.id);
        return found;
      },
      options.signal,
    );
  }

  #learnSkewFromDate(headers: Headers): void {
    if (this.#skewFromMessages) return;
    const date = Date.parse(headers.get("date") ?? "");
    // Date has whole seconds: the server's clock is somewhere in [date, date + 1 s).
    if (!Number.isNaN(date)) this.#skewMs = date + 500 - this.#clock.now();
  }

  /** A send's `created` is the server's own clock (the sandbox clock on Beseda), to the second. */
  #learnSkewFromSend(body: unknown): void {
    const created = (body as { created?: unknown } | undefined)?.created;
    if (typeof created !== "number") return;
    this.#skewMs = created * 1000 + 500 - this.#clock.now();
    this.#skewFromMessages = true;
  }

  /** Remembers a stored send so a later check for an equal one never takes it for its own. */
  #claim(id: unknown): void {
    if (typeof id !== "string") return;
    this.#claimed.add(id);
    // Bounded: only recent sends can be confused with each other.
    if (this.#claimed.size > 1000) this.#claimed.delete(this.#claimed.values().next().value ?? "");
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** Errors after which the server may still store the send a moment later. */
function mayStillBeWriting(error: AvitoError): boolean {
  return (error instanceof AvitoConnectionError && error.timedOut) || error.status === 504;
}

/** A 429, or a request that never left: a single-use grant may go again. */
function nothingDone(error: AvitoError): boolean {
  return (
    error instanceof AvitoRateLimitError || (error instanceof AvitoConnectionError && error.notSent)
  );
}

function grantLost(grant: string, error: AvitoError): AvitoGrantLostError {
  const what = grant === "refresh_token" ? "refresh token" : "authorization code";
  return new AvitoGrantLostError(
    `${error.operation}: the ${grant} grant's answer was lost (${error.message}); it is not sent again, and the ${what} may be spent`,
    {
      operation: error.operation,
      status: error.status,
      body: error.body,
      headers: error.headers,
      cause: error,
    },
  );
}

function unverified(sendError: AvitoError, why: string): AvitoSendUnverifiedError {
  return new AvitoSendUnverifiedError(
    `${sendError.operation}: the answer was lost (${sendError.message}) and ${why}; the message may or may not be in the chat`,
    {
      operation: sendError.operation,
      status: sendError.status,
      body: sendError.body,
      headers: sendError.headers,
      cause: sendError,
    },
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
