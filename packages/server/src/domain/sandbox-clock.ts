// The sandbox clock's control: reading it and moving it forward. The offset is stored so that a
// restart keeps sandbox time where it was.
import type { SandboxClock } from "../clock.ts";
import { BesedaError } from "../errors/beseda-error.ts";
import { getSetting, putSetting } from "../store/repositories/settings.ts";
import type { Db, Store } from "../store/store.ts";
import type { DomainContext } from "./context.ts";

const OFFSET_KEY = "clock_offset_ms";

/** The stored offset, to build the clock with at start-up. */
export async function loadClockOffset(store: Store): Promise<number> {
  const stored = await getSetting(store.db, OFFSET_KEY);
  return stored === undefined ? 0 : Number(stored);
}

/** Keeps the offset for the next start, inside the caller's transaction (a sandbox import). */
export async function saveClockOffset(db: Db, offsetMs: number): Promise<void> {
  await putSetting(db, OFFSET_KEY, String(offsetMs));
}

export function clockState(clock: SandboxClock): { now: number; offset_seconds: number } {
  return { now: clock.now(), offset_seconds: Math.floor(clock.offsetMs / 1000) };
}

/** Moves sandbox time forward; retries that fall due by then go out at once. */
export async function advanceClock(
  ctx: DomainContext,
  clock: SandboxClock,
  seconds: number,
): Promise<{ now: number; offset_seconds: number }> {
  if (seconds < 0) throw new BesedaError("clock_backwards");
  const offsetMs = clock.offsetMs + seconds * 1000;
  await putSetting(ctx.store.db, OFFSET_KEY, String(offsetMs));
  clock.setOffsetMs(offsetMs);
  ctx.cluster.changed("clock", String(offsetMs));
  ctx.webhooks.wake();
  const state = clockState(clock);
  ctx.live.publish({ type: "clock", ...state });
  return state;
}
