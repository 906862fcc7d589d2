// The client's options and their defaults, in one place. Nothing here runs requests.
import type { BudgetOptions } from "./budget.ts";
import type { Clock } from "./clock.ts";
import type { BackoffOptions, RetryEvent } from "./retry-policy.ts";
import type { TokenStore } from "./token-store.ts";

export interface AvitoMessengerOptions {
  /** Default `https://api.avito.ru`; a Beseda's URL (`http://127.0.0.1:8080`) to use it instead. */
  baseUrl?: string;
  /** The app's credentials from the Avito developer cabinet (or a Beseda account). */
  clientId?: string;
  clientSecret?: string;
  /**
   * A refresh token from an earlier consent (authorization_code flow). Without one, and without
   * `exchangeCode`, the client uses client_credentials: a personal token of the app's own account.
   */
  refreshToken?: string;
  /** The account acted for (the paths' `user_id`); learned from `/core/v1/accounts/self` if left out. */
  userId?: number;
  /** Where tokens are kept; share one between processes to share one token. Default: memory. */
  tokenStore?: TokenStore;
  /** The store's key for this client's token. Default `avito-messenger:<clientId>`. */
  tokenStoreKey?: string;
  /** Renew a token this long before it expires (capped at half its life). Default 5 minutes. */
  refreshMarginMs?: number;
  /** The fetch to call; default the global one. */
  fetch?: typeof fetch;
  /** One attempt's limit, answer included. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt (429, 5xx, no answer). Default 6. */
  maxRetries?: number;
  /** Backoff between retries when the server gives no Retry-After. */
  backoff?: BackoffOptions;
  /**
   * The longest Retry-After the client waits out; a 429 asking for longer is thrown at once as
   * AvitoRateLimitError (its `retryAfterMs` says how long). Default 120 s.
   */
  maxRetryAfterMs?: number;
  /** The client-side request budget; `false` turns it off. Default 300 a minute, bursts of 10. */
  budget?: BudgetOptions | false;
  /**
   * A send whose answer was lost: `"verify"` (default) looks for it in the chat's newest messages
   * and sends again only if it is not there; `"never"` throws and leaves it to the caller.
   */
  sendRetry?: "verify" | "never";
  /**
   * After a send timed out on our side or got a gateway's 504, the server may still be writing
   * it: the chat is checked no sooner than this. Default 5 s.
   */
  sendGraceMs?: number;
  /** Called before each retry, for logging. */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Called when the TokenStore fails to read or write. Not fatal: the client keeps the token in
   * memory and writes it again on later calls (at most every 5 s) until the store takes it.
   */
  onTokenStoreError?: (error: unknown) => void;
  /** Time, for tests; default the system's. */
  clock?: Clock;
  /** Randomness for jitter, for tests; default Math.random. */
  random?: () => number;
}

export interface CallOptions {
  /**
   * Aborts the call (including its waits between retries and for a token renewal or the
   * account lookup it shares with other calls); the reason is thrown as it is.
   */
  signal?: AbortSignal;
  /** This call's per-attempt timeout (and limit on waiting for a token), instead of the client's. */
  timeoutMs?: number;
}

export const DEFAULT_BASE_URL = "https://api.avito.ru";
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRIES = 6;
export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 120_000;
export const DEFAULT_SEND_GRACE_MS = 5_000;
