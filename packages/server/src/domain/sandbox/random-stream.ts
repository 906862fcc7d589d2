// Which stream of a seeded random source (domain/random.ts) the server draws from, kept in the
// store: stream 0 on an empty store, and a later one whenever the store already holds ids drawn
// from earlier streams (a restart, an import), so that new ids never repeat the world's. With the
// system's generator the count is kept all the same, and means nothing.
import { getSetting, putSetting } from "../../store/repositories/settings.ts";
import type { Db } from "../../store/store.ts";
import type { DomainContext } from "../context.ts";

const STREAM_KEY = "random_stream";

export async function readRandomStream(db: Db): Promise<number> {
  const stored = await getSetting(db, STREAM_KEY);
  return stored === undefined ? 0 : Number(stored);
}

/** Inside the caller's transaction: the stream the world's ids come from from now on. */
export async function saveRandomStream(db: Db, stream: number): Promise<void> {
  await putSetting(db, STREAM_KEY, String(stream));
}

/**
 * At start: an empty store draws from stream 0 (a seeded server then builds the same demo world
 * every time); a store that holds a world goes on with the stream after the one it was made with.
 */
export async function startRandomStream(ctx: DomainContext, storeIsEmpty: boolean): Promise<void> {
  let stream = 0;
  if (!storeIsEmpty) {
    stream = (await readRandomStream(ctx.store.db)) + 1;
    await saveRandomStream(ctx.store.db, stream);
  }
  ctx.random.useStream(stream);
}
