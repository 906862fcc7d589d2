// The accounts whose deliveries are paused (the sandbox's pause). A paused account's deliveries
// are all queued: a new one is written queued (webhook-outbox.ts), pausing queues its pending ones,
// and nothing promotes them (webhook-queue.ts: promote, promoteNext) until resuming makes each
// stream's first one its head again (promoteStreamHeads). An attempt that was already in flight
// when the pause came still has its result written (updateDelivery, markDelivered).
import type { RawBuilder } from "kysely";
import { dialectOf } from "../dialect.ts";
import { num } from "../records.ts";
import type { Db } from "../store.ts";
import { PENDING } from "./webhook-records.ts";

/**
 * The account's row in webhook_pause, if its deliveries are paused. On PostgreSQL it is read FOR
 * SHARE: a resume, which deletes the row and then promotes what the pause held back, waits for
 * every write that decided "queued" because of it, and so sees that write's delivery.
 */
export function pauseOf(db: Db, userId: number | RawBuilder<number>) {
  const query = db.selectFrom("webhook_pause").select("user_id").where("user_id", "=", userId);
  return dialectOf(db) === "postgres" ? query.forShare() : query;
}

export async function isPaused(db: Db, userId: number): Promise<boolean> {
  return (await pauseOf(db, userId).executeTakeFirst()) !== undefined;
}

/** The accounts whose deliveries are paused. */
export async function pausedAccounts(db: Db): Promise<Set<number>> {
  const rows = await db.selectFrom("webhook_pause").select("user_id").execute();
  return new Set(rows.map((row) => num(row.user_id)));
}

/**
 * Pauses the account's deliveries: marks it paused (again is a no-op) and queues its pending
 * ones, due or waiting for a retry, where they keep their attempts and retry step.
 */
export async function pauseDeliveries(db: Db, userId: number, atMs: number): Promise<void> {
  await db
    .insertInto("webhook_pause")
    .values({ user_id: userId, created_ms: atMs })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
  await db
    .updateTable("webhook_delivery")
    .set({ status: "queued" })
    .where("user_id", "=", userId)
    .where("status", "=", PENDING)
    .execute();
}

/** Ends the account's pause; false if it was not paused. Its streams need promoteStreamHeads. */
export async function unpause(db: Db, userId: number): Promise<boolean> {
  const result = await db
    .deleteFrom("webhook_pause")
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
