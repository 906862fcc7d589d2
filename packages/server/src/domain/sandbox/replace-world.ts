// What every change of the whole world (a sandbox reset, an import) goes through: one at a time,
// with everything the server keeps in memory about the old world let go of around the commit
// (the caches of immutable facts, the reads' encoded fragments and kept answers, the webhook
// dispatcher's queues and the attempts in flight, the fault rules in memory), and the sandbox
// clock and the random source set for the new world once it is committed.

import type { SandboxClock } from "../../clock.ts";
import type { Db } from "../../store/store.ts";
import { stampVersion } from "../cluster/cluster-sync.ts";
import type { DomainContext } from "../context.ts";

/** How the new world starts, once its transaction has committed. */
export interface NewWorldStart {
  /** The sandbox clock's offset from real time. */
  clockOffsetMs: number;
  /** The stream of the random source to draw from (domain/sandbox/random-stream.ts). */
  randomStream: number;
}

const running = new WeakMap<DomainContext, Promise<unknown>>();

/** Runs world changes of one server one after another. */
async function oneAtATime<T>(ctx: DomainContext, work: () => Promise<T>): Promise<T> {
  const before = running.get(ctx) ?? Promise.resolve();
  const turn = before.then(work, work);
  running.set(
    ctx,
    turn.catch(() => {}),
  );
  return turn;
}

export function forgetOldWorld(ctx: DomainContext): void {
  ctx.caches.accessGrants.clear();
  ctx.caches.chatParties.clear();
  ctx.fragments.clear();
  ctx.keptAnswers.clear();
  ctx.webhooks.discard();
}

/**
 * Replaces the world in one transaction (`write` empties the store, or checks it is empty, and
 * writes the new world; it answers how the new world starts), then sets the clock and the random
 * source, and runs `afterwards` (the demo world of a reset) before any other world change. Nothing
 * changes if `write` throws.
 */
export async function replaceWorld<T extends NewWorldStart, R>(
  ctx: DomainContext,
  clock: SandboxClock,
  write: (db: Db) => Promise<T>,
  afterwards: (start: T) => Promise<R>,
): Promise<R> {
  return oneAtATime(ctx, async () => {
    // Before the commit too: a delivery attempt that ends while the transaction runs must not
    // write its result after it.
    forgetOldWorld(ctx);
    let version: string | undefined;
    const start = await ctx.store.transaction(async (db) => {
      const written = await write(db);
      version = await stampVersion(ctx.store, db, "world");
      return written;
    });
    clock.setOffsetMs(start.clockOffsetMs);
    ctx.random.useStream(start.randomStream);
    forgetOldWorld(ctx);
    // The fault rules in memory follow the store's (a reset deleted them, an import kept them).
    await ctx.faults.load();
    ctx.cluster.changed("world", version);
    const result = await afterwards(start);
    ctx.live.publish({ type: "world" });
    return result;
  });
}
