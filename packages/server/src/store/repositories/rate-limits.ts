// Requests per limiter, key and minute (see the rate-limits migration): what StoreRateLimiter
// counts in, so that every node on one database counts into the same row.
import { precompiled } from "../precompiled.ts";
import { num } from "../records.ts";
import type { Db } from "../store.ts";

export interface RateLimitWindow {
  limiter: string;
  key: number;
  /** floor(ms / 60 000) of the sandbox clock. */
  minute: number;
}

// Run on every request of a limited API: built and compiled once per dialect.
const countRequest = precompiled(["limiter", "key", "minute"], (db, v) =>
  db
    .insertInto("rate_limit")
    .values({ limiter: v.limiter, key: v.key, minute: v.minute, count: 1 })
    .onConflict((oc) =>
      oc
        .columns(["limiter", "key", "minute"])
        .doUpdateSet((eb) => ({ count: eb("rate_limit.count", "+", 1) })),
    )
    .returning("count"),
);

/** Counts one request in its window, in one statement; answers the window's count with it. */
export async function countRequestIn(db: Db, window: RateLimitWindow): Promise<number> {
  const { rows } = await countRequest(db, window);
  const row = rows[0];
  if (!row) throw new Error(`no rate_limit row for ${window.limiter}:${window.key}`);
  return num(row.count);
}

/** Forgets the key's windows other than `window` (earlier ones, or later ones the clock left). */
export async function deleteOtherWindows(db: Db, window: RateLimitWindow): Promise<void> {
  await db
    .deleteFrom("rate_limit")
    .where("limiter", "=", window.limiter)
    .where("key", "=", window.key)
    .where("minute", "<>", window.minute)
    .execute();
}

/** The requests counted in the limiter's minute, by key (keys with none are left out). */
export async function countsInMinute(
  db: Db,
  limiter: string,
  minute: number,
): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom("rate_limit")
    .select(["key", "count"])
    .where("limiter", "=", limiter)
    .where("minute", "=", minute)
    .execute();
  return new Map(rows.map((row) => [num(row.key), num(row.count)]));
}

/** The requests counted for one key in the limiter's minute. */
export async function countInMinute(db: Db, window: RateLimitWindow): Promise<number> {
  const row = await db
    .selectFrom("rate_limit")
    .select("count")
    .where("limiter", "=", window.limiter)
    .where("key", "=", window.key)
    .where("minute", "=", window.minute)
    .executeTakeFirst();
  return row ? num(row.count) : 0;
}
