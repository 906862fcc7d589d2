// Pausing and resuming an account's webhook deliveries from the sandbox (the console's pause
// button). While paused, its deliveries, new and retrying, wait queued: none is attempted and no
// attempt is counted (one already on its way when the pause commits still ends and is logged).
// Resuming makes each chat's first waiting delivery due at once; the rest follow in order as each
// ends, as usual. The flag is kept in the store, so it survives a restart; a reset or an import
// clears it, and an export leaves it out.
import { pauseDeliveries, unpause } from "../../store/repositories/webhook-pauses.ts";
import { promoteStreamHeads } from "../../store/repositories/webhook-queue.ts";
import { requireAccount } from "../accounts.ts";
import type { DomainContext } from "../context.ts";

export async function pauseWebhooks(
  ctx: DomainContext,
  userId: number,
): Promise<{ paused: boolean }> {
  await ctx.store.transaction(async (db) => {
    await requireAccount(db, userId);
    await pauseDeliveries(db, userId, ctx.clock.nowMs());
  });
  // What the dispatcher remembers of the account's streams would go out on its own.
  ctx.webhooks.resync();
  return { paused: true };
}

export async function resumeWebhooks(
  ctx: DomainContext,
  userId: number,
): Promise<{ paused: boolean }> {
  await ctx.store.transaction(async (db) => {
    await requireAccount(db, userId);
    await unpause(db, userId);
    // Also when it was not paused: a stream left without a head goes out again.
    await promoteStreamHeads(db, userId, ctx.clock.nowMs());
  });
  ctx.webhooks.resync();
  return { paused: false };
}
