// POST /sandbox/v1/import and `beseda serve --fixture`: loads a fixture into an empty store, or,
// with replace, in place of the whole world (as a reset then an import, in one transaction).
//
// The document is checked whole first (check-fixture.ts); nothing is written unless it passes. Its
// blobs are then written to the media store before the transaction: blobs are content-addressed
// and never change meaning, so a blob written for an import that then fails is only a file that
// nothing names (like one left by a failed upload). The rows go in one transaction, which also
// sets the clock and the random stream: a refusal past this point (the store turned out not to be
// empty) leaves the store as it was.
import type { SandboxClock } from "../../clock.ts";
import { BesedaError } from "../../errors/beseda-error.ts";
import { emptyStore, holdsWorld, insertWorld } from "../../store/repositories/world.ts";
import type { DomainContext } from "../context.ts";
import { clockState, saveClockOffset } from "../sandbox-clock.ts";
import { checkFixture } from "./check-fixture.ts";
import { saveRandomStream } from "./random-stream.ts";
import { replaceWorld } from "./replace-world.ts";

export interface ImportAnswer {
  imported: {
    accounts: number;
    items: number;
    chats: number;
    messages: number;
    images: number;
    voices: number;
    /** Media files the document carried (written unless this server had them already). */
    blobs: number;
  };
  clock: { now: number; offset_seconds: number };
}

function storeNotEmpty(): BesedaError {
  return new BesedaError("store_not_empty");
}

/** Is there no world yet (no account, nor a voice file stored without one)? */
export async function worldIsEmpty(ctx: DomainContext): Promise<boolean> {
  return !(await holdsWorld(ctx.store.db));
}

export async function importWorld(
  ctx: DomainContext,
  clock: SandboxClock,
  document: unknown,
  options: { replace: boolean },
): Promise<ImportAnswer> {
  const checked = await checkFixture(ctx, document);
  // Said before any blob is written; said again by the transaction, which decides.
  if (!options.replace && !(await worldIsEmpty(ctx))) throw storeNotEmpty();
  for (const [key, bytes] of checked.blobs) await ctx.media.blobs.put(bytes, key);
  const { world } = checked;
  return replaceWorld(
    ctx,
    clock,
    async (db) => {
      if (options.replace) await emptyStore(db);
      else if (await holdsWorld(db)) throw storeNotEmpty();
      await insertWorld(db, world);
      // The sandbox time of the export, going on from there; without one, real time.
      const realNowMs = clock.nowMs() - clock.offsetMs;
      const clockOffsetMs = checked.clockNowMs === null ? 0 : checked.clockNowMs - realNowMs;
      await saveClockOffset(db, clockOffsetMs);
      // The world's ids came from streams up to the document's: new ones come from the next.
      const randomStream = checked.randomStream + 1;
      await saveRandomStream(db, randomStream);
      return { clockOffsetMs, randomStream };
    },
    async () => ({
      imported: {
        accounts: world.accounts.length,
        items: world.items.length,
        chats: world.chats.length,
        messages: world.messages.length,
        images: world.images.length,
        voices: world.voices.length,
        blobs: checked.blobs.size,
      },
      clock: clockState(clock),
    }),
  );
}
