// Where access and refresh tokens live between calls. The client keeps its own copy too, but
// reads the store before each refresh and writes every new token to it, so that several processes
// pointed at one shared store use one token and spend each single-use refresh token once.
//
// A Redis-backed store, for example (no dependency here: bring your own client):
//
//   const redisTokenStore = (redis: Redis): TokenStore => ({
//     async get(key) {
//       const text = await redis.get(key);
//       return text === null ? undefined : JSON.parse(text);
//     },
//     async set(key, token) {
//       // keep it a little past its expiry; the client refreshes before that anyway
//       const ttl = Math.max(1, Math.ceil((token.expiresAt - Date.now()) / 1000) + 3600);
//       await redis.set(key, JSON.stringify(token), "EX", ttl);
//     },
//     // Optional: one refresh across all processes. SET NX with an expiry is a lock that
//     // frees itself if its holder dies.
//     async withLock(key, run) {
//       const lock = `${key}:lock`;
//       const me = crypto.randomUUID();
//       while ((await redis.set(lock, me, "PX", 10_000, "NX")) === null)
//         await new Promise((resolve) => setTimeout(resolve, 100));
//       try { return await run(); }
//       finally { if ((await redis.get(lock)) === me) await redis.del(lock); }
//     },
//   });
//
// Without `withLock`, two processes may still refresh at once; the loser's refresh token is
// refused (400 invalid_grant) and the client then adopts the winner's token from the store.

export interface StoredToken {
  accessToken: string;
  /** When the access token stops working, epoch milliseconds. */
  expiresAt: number;
  /** When it was obtained, epoch milliseconds: bounds how early it is renewed. */
  obtainedAt?: number | undefined;
  /** Present for authorization_code grants; single-use. */
  refreshToken?: string | undefined;
  /** Comma-separated scopes the grant gave, when /token said. */
  scope?: string | undefined;
}

export interface TokenStore {
  get(key: string): Promise<StoredToken | undefined>;
  set(key: string, token: StoredToken): Promise<void>;
  /** Runs `run` while holding a lock on `key` shared by every process that uses this store. */
  withLock?<T>(key: string, run: () => Promise<T>): Promise<T>;
}

/** The default: tokens kept in this process only. */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, StoredToken>();

  async get(key: string): Promise<StoredToken | undefined> {
    return this.#tokens.get(key);
  }

  async set(key: string, token: StoredToken): Promise<void> {
    this.#tokens.set(key, token);
  }
}
