// POST /sandbox/v1/reset: empties the store (accounts, apps, items, chats, messages, media
// records, blacklists, subscriptions, deliveries, tokens, codes, fault rules, settings), puts the
// sandbox clock back to real time and the random source back to its first stream, then builds
// the demo world unless told not to. The admin token lives in the data dir, not the store, and
// stays; media files stay on disk too (content-addressed, nothing names them any more).
import type { SandboxClock } from "../../clock.ts";
import { emptyStore } from "../../store/repositories/world.ts";
import type { AccountCredentials } from "../accounts.ts";
import type { DomainContext } from "../context.ts";
import { buildDemoWorld } from "../demo-world.ts";
import { clockState } from "../sandbox-clock.ts";
import { replaceWorld } from "./replace-world.ts";

export interface ResetAnswer {
  /** The demo world's seller and buyers, or null when it was not built. */
  demo: { seller: AccountCredentials; buyers: AccountCredentials[] } | null;
  clock: { now: number; offset_seconds: number };
}

export async function resetWorld(
  ctx: DomainContext,
  clock: SandboxClock,
  options: { demo: boolean },
): Promise<ResetAnswer> {
  return replaceWorld(
    ctx,
    clock,
    async (db) => {
      await emptyStore(db);
      return { clockOffsetMs: 0, randomStream: 0 };
    },
    async () => ({
      demo: options.demo ? await buildDemoWorld(ctx) : null,
      clock: clockState(clock),
    }),
  );
}
