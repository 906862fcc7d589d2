// One client's access token: obtained on first use, renewed shortly before it expires and when
// the server refuses it, with ONE renewal in flight however many calls wait (concurrent calls
// never spend a single-use refresh token twice). Renewals go through the TokenStore so that
// processes sharing a store share a token; the store failing is reported and retried, never
// fatal: a new token is held in memory before it is written, because the refresh token it
// replaced is already spent. It does not make HTTP calls itself: `grant` (the client's
// getAccessToken, which does not resend single-use grants) does.
import type { Clock } from "./clock.ts";
import { AvitoAuthenticationError, AvitoError } from "./errors.ts";
import type { TokenResponse } from "./operation-types.ts";
import type { StoredToken, TokenStore } from "./token-store.ts";

export type GrantForm =
  | { grant_type: "client_credentials"; client_id: string; client_secret: string }
  | {
      grant_type: "authorization_code";
      client_id: string;
      client_secret: string;
      code: string;
      redirect_uri?: string;
    }
  | {
      grant_type: "refresh_token";
      client_id: string;
      client_secret: string;
      refresh_token: string;
    };

export interface TokenManagerInit {
  store: TokenStore;
  key: string;
  clock: Clock;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** A refresh token obtained elsewhere (an earlier consent), used when the store has none. */
  refreshToken: string | undefined;
  /** Renew this long before expiry (at most half the token's life). */
  refreshMarginMs: number;
  grant(form: GrantForm): Promise<TokenResponse>;
  /** Told when the store fails to read or write; the token is kept in memory meanwhile. */
  onStoreError?: ((error: unknown) => void) | undefined;
}

/** Tokens the server refused; remembered so a stale copy in the store is not adopted again. */
const REMEMBERED_REJECTIONS = 16;
/** How long another process's renewal is awaited in the store: 10 looks, 200 ms apart. */
const RENEWAL_LOOKS = 10;
const RENEWAL_LOOK_MS = 200;
/** A token the store failed to take is written again at most this often (on the next calls). */
const STORE_RETRY_MS = 5_000;

export class TokenManager {
  readonly #init: TokenManagerInit;
  #current: StoredToken | undefined;
  #inFlight: Promise<StoredToken> | undefined;
  readonly #rejected: string[] = [];
  /** A token held in memory that the store failed to take; written again on later calls. */
  #unsaved: StoredToken | undefined;
  #unsavedTriedAt = 0;
  #saving: Promise<void> | undefined;
  /** How many times a token was obtained from /token by this client (for logs and tests). */
  grants = 0;

  constructor(init: TokenManagerInit) {
    this.#init = init;
  }

  /** `token` if it may still be used (not refused, not about to expire), else undefined. */
  #usable(token: StoredToken | undefined): StoredToken | undefined {
    if (!token || this.#rejected.includes(token.accessToken)) return undefined;
    const life = token.obtainedAt === undefined ? Infinity : token.expiresAt - token.obtainedAt;
    const margin = Math.min(this.#init.refreshMarginMs, life / 2);
    return this.#init.clock.now() < token.expiresAt - margin ? token : undefined;
  }

  /** A token to call with: the current one, or a renewed one when it is about to expire. */
  async accessToken(): Promise<string> {
    this.#retrySave();
    return (this.#usable(this.#current) ?? (await this.#renewOnce())).accessToken;
  }

  /**
   * The server refused `token` (401, or 403 "invalid/expired access token"). Resolves with a
   * new token; every caller that reports the same token shares one renewal.
   */
  async rejected(token: string): Promise<string> {
    if (!this.#rejected.includes(token)) {
      this.#rejected.push(token);
      if (this.#rejected.length > REMEMBERED_REJECTIONS) this.#rejected.shift();
    }
    for (let round = 0; round < 2; round++) {
      const current = this.#usable(this.#current);
      if (current) return current.accessToken;
      // A renewal that started before this rejection may still hand back the refused token
      // (read from the store); then one more round renews for real.
      const renewed = await this.#renewOnce();
      if (renewed.accessToken !== token) return renewed.accessToken;
    }
    throw new AvitoAuthenticationError("The renewed access token was refused too", {
      operation: "getAccessToken",
    });
  }

  /** Exchanges an authorization code (from the consent page's redirect) for tokens. */
  async exchangeCode(code: string, redirectUri?: string): Promise<StoredToken> {
    const { clientId, clientSecret } = this.#credentials();
    const form: GrantForm = {
      grant_type: "authorization_code",
      client_id: clientId,
      client_secret: clientSecret,
      code,
      ...(redirectUri === undefined ? {} : { redirect_uri: redirectUri }),
    };
    const token = this.#stored(await this.#init.grant(form));
    await this.#keep(token);
    return token;
  }

  /** The token as the client holds it now (undefined before the first call). */
  get current(): StoredToken | undefined {
    return this.#current;
  }

  #renewOnce(): Promise<StoredToken> {
    this.#inFlight ??= this.#renewLocked().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  #renewLocked(): Promise<StoredToken> {
    const { store, key } = this.#init;
    return store.withLock ? store.withLock(key, () => this.#renew()) : this.#renew();
  }

  async #renew(): Promise<StoredToken> {
    const stored = await this.#read();
    // Another process (or an earlier client on this store) may have renewed already.
    const shared = this.#usable(stored);
    if (shared && !isOlder(shared, this.#unsaved)) return this.#adopt(shared);
    // The newest refresh token we know of: the store's, unless ours is newer and the store failed
    // to take it (then the store's is spent).
    const latest = isOlder(stored, this.#unsaved) ? this.#unsaved : stored;
    const refreshToken =
      latest?.refreshToken ?? this.#current?.refreshToken ?? this.#init.refreshToken;
    const { clientId, clientSecret } = this.#credentials();
    let response: TokenResponse;
    if (refreshToken !== undefined) {
      try {
        response = await this.#init.grant({
          grant_type: "refresh_token",
          client_id: clientId,
          client_secret: clientSecret,
          refresh_token: refreshToken,
        });
      } catch (error) {
        // Refused (already used): a process without the store's lock may have won the race and
        // stored its result; take that rather than fail.
        if (error instanceof AvitoError && error.status === 400) {
          const winner = await this.#awaitOtherRenewal(refreshToken);
          if (winner) return this.#adopt(winner);
        }
        throw error;
      }
    } else {
      response = await this.#init.grant({
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: clientSecret,
      });
    }
    const token = this.#stored(response);
    await this.#keep(token);
    return token;
  }

  /**
   * Holds `token` first, then writes it to the store: the grant that gave it spent the refresh
   * token before it, so losing it to a failing store would lose the seller's consent.
   */
  async #keep(token: StoredToken): Promise<void> {
    this.#current = token;
    this.#unsaved = token;
    await this.#save(token);
  }

  async #save(token: StoredToken): Promise<void> {
    this.#unsavedTriedAt = this.#init.clock.now();
    try {
      await this.#init.store.set(this.#init.key, token);
      if (this.#unsaved === token) this.#unsaved = undefined;
    } catch (error) {
      this.#init.onStoreError?.(error);
    }
  }

  /** Writes a token the store failed to take again, in the background, at most every 5 s. */
  #retrySave(): void {
    const token = this.#unsaved;
    if (!token || this.#saving) return;
    if (this.#init.clock.now() - this.#unsavedTriedAt < STORE_RETRY_MS) return;
    this.#saving = this.#save(token).finally(() => {
      this.#saving = undefined;
    });
  }

  /** The store's token; a failing store is reported and read as empty. */
  async #read(): Promise<StoredToken | undefined> {
    try {
      return await this.#init.store.get(this.#init.key);
    } catch (error) {
      this.#init.onStoreError?.(error);
      return undefined;
    }
  }

  /**
   * After our refresh token was refused as used: the process that used it writes its new token
   * to the store a moment after its answer, so look a few times before giving up.
   */
  async #awaitOtherRenewal(spent: string): Promise<StoredToken | undefined> {
    for (let look = 0; look < RENEWAL_LOOKS; look++) {
      const after = this.#usable(await this.#read());
      if (after && after.refreshToken !== spent) return after;
      await this.#init.clock.sleep(RENEWAL_LOOK_MS);
    }
    return undefined;
  }

  #adopt(token: StoredToken): StoredToken {
    this.#current = token;
    // The store holds a token at least as new as ours: nothing of ours is left to write.
    if (isOlder(this.#unsaved, token)) this.#unsaved = undefined;
    return token;
  }

  #stored(response: TokenResponse): StoredToken {
    this.grants += 1;
    const now = this.#init.clock.now();
    return {
      accessToken: response.access_token,
      obtainedAt: now,
      expiresAt: now + response.expires_in * 1000,
      refreshToken: response.refresh_token,
      scope: response.scope,
    };
  }

  #credentials(): { clientId: string; clientSecret: string } {
    const { clientId, clientSecret } = this.#init;
    if (!clientId || !clientSecret)
      throw new AvitoAuthenticationError("clientId and clientSecret are needed to get a token", {
        operation: "getAccessToken",
      });
    return { clientId, clientSecret };
  }
}

/** True when `a` was obtained before `b` (a missing token is older than any). */
function isOlder(a: StoredToken | undefined, b: StoredToken | undefined): boolean {
  if (!b) return false;
  if (!a) return true;
  return (a.obtainedAt ?? 0) < (b.obtainedAt ?? 0);
}
