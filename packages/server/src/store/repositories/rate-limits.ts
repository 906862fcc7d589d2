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

// Run near an account's limit on every request: built and compiled once per dialect.
const countRequests = precompiled(["limiter", "key", "minute", "count"], (db, v) =>
  db
    .insertInto("rate_limit")
    .values({ limiter: v.limiter, key: v.key, minute: v.minute, count: v.count })
    .onConflict((oc) =>
      oc
        .columns(["limiter", "key", "minute"])
        .doUpdateSet((eb) => ({ count: eb("rate_limit.count", "+", eb.ref("excluded.count")) })),
    )
    .returning("count"),
);

/** Adds `count` requests to the window, in one statement; answers the window's count with them. */
export async function countRequestsIn(
  db: Db,
  window: RateLimitWindow,
  count: number,
): Promise<number> {
  const { rows } = await countRequests(db, { ...window, count });
  const row = rows[0];
  if (!row) throw new Error(`no rate_limit row for ${window.limiter}:${window.key}`);
  return num(row.count);
}

/**
 * Adds each key's requests to its window of `minute`, in one statement; answers each key's
 * count with them (every node's requests that were written).
 */
export async function countManyIn(
  db: Db,
  limiter: string,
  minute: number,
  counts: ReadonlyMap<number, number>,
): Promise<Map<number, number>> {
  if (counts.size === 0) return new Map();
  const rows = await db
    .insertInto("rate_limit")
    .values([...counts].map(([key, count]) => ({ limiter, key, minute, count })))
    .onConflict((oc) =>
      oc
        .columns(["limiter", "key", "minute"])
        .doUpdateSet((eb) => ({ count: eb("rate_limit.count", "+", eb.ref("excluded.count")) })),
    )
    .returning(["key", "count"])
    .execute();
  return new Map(rows.map((row) => [num(row.key), num(row.count)]));
}

/** Forgets the limiter's windows other than `minute` (earlier ones, or later ones the clock left). */
export async function deleteOtherMinutes(db: Db, limiter: string, minute: number): Promise<void> {
  await db
    .deleteFrom("rate_limit")
    .where("limiter", "=", limiter)
    .where("minute", "<>", minute)
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
