// Until when some node has watchers of the live events (see the live-watch migration): one row.
import { num } from "../records.ts";
import type { Db } from "../store.ts";

const ROW = 1;

/** Unix ms of real time; 0 when no node ever had watchers. */
export async function watchedUntilMs(db: Db): Promise<number> {
  const row = await db
    .selectFrom("live_watch")
    .select("watched_until_ms")
    .where("id", "=", ROW)
    .executeTakeFirst();
  return row ? num(row.watched_until_ms) : 0;
}

export async function putWatchedUntilMs(db: Db, untilMs: number): Promise<void> {
  await db
    .insertInto("live_watch")
    .values({ id: ROW, watched_until_ms: untilMs })
    .onConflict((oc) => oc.column("id").doUpdateSet({ watched_until_ms: untilMs }))
    .execute();
}
