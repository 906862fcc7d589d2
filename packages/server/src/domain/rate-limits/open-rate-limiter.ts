// Which limiter counts a limit: in memory with one node on SQLite, in the store when several
// nodes may share one PostgreSQL.
import type { Clock } from "../../clock.ts";
import type { Store } from "../../store/store.ts";
import { InMemoryRateLimiter, type RateLimiter } from "./rate-limiter.ts";
import { StoreRateLimiter } from "./store-rate-limiter.ts";

export interface RateLimiterOptions {
  store: Store;
  /** Which limit this is: its rows in the store are its own. */
  name: string;
  limit: number;
  clock: Clock;
  /** A background write of counts failed (retried with the next). */
  onError: (error: unknown) => void;
}

export function openRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { store, name, limit, clock, onError } = options;
  return store.dialect === "postgres"
    ? new StoreRateLimiter(store, name, limit, clock, onError)
    : new InMemoryRateLimiter(limit, clock);
}

/** The onError of a limiter whose failed writes go to a log (the server's, or a route scope's). */
export function logFailedCountWrites(log: {
  error(details: object, message: string): void;
}): (error: unknown) => void {
  return (error) =>
    log.error({ err: error }, "writing the rate limit's counts failed; retried with the next");
}
