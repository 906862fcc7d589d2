// Writing the outbox: the chat's event numbers, and each new delivery placed in its stream, where
// it is the pending head (due now) or waits queued behind the stream's head or a pause; and the
// same decision for a delivery sent again (streamHasOtherHead).
import { sql } from "kysely";
import { precompiled } from "../precompiled.ts";
import { num } from "../records.ts";
import type { Db } from "../store.ts";
import { pauseOf } from "./webhook-pauses.ts";
import {
  type Delivery,
  type Lease,
  PENDING,
  QUEUED,
  unfinishedInStream,
} from "./webhook-records.ts";

/** The chat's next event number. */
export async function nextChatEvent(db: Db, chatId: string): Promise<number> {
  const row = await db
    .updateTable("chat")
    .set((eb) => ({ event_seq: eb("event_seq", "+", 1) }))
    .where("id", "=", chatId)
    .returning("event_seq")
    .executeTakeFirstOrThrow();
  return num(row.event_seq);
}

/** A new delivery, not yet placed in its stream. */
export type NewDelivery = Omit<Delivery, "status">;

/**
 * Writes a new delivery into its stream, in one statement: pending (due now) if the stream was
 * empty and the account's deliveries are not paused, else queued. Returns which. A pending one is
 * leased to the writer's node, which sends it once the write commits.
 */
export async function insertDelivery(
  db: Db,
  d: NewDelivery,
  lease: Lease,
): Promise<"pending" | "queued"> {
  const { rows } = await insertDeliveryRow(db, {
    id: d.id,
    user_id: d.userId,
    chat_id: d.chatId,
    position: d.position,
    message_id: d.messageId,
    event: d.event,
    body: d.body,
    attempts: d.attempts,
    step: d.step,
    window_start_ms: d.windowStartMs,
    next_attempt_ms: d.nextAttemptMs,
    created_ms: d.createdMs,
    finished_ms: d.finishedMs,
    lease_until_ms: lease.untilMs,
    leased_by: lease.node,
  });
  return rows[0]?.status === "queued" ? "queued" : "pending";
}

const insertDeliveryRow = precompiled(
  [
    "id",
    "user_id",
    "chat_id",
    "position",
    "message_id",
    "event",
    "body",
    "attempts",
    "step",
    "window_start_ms",
    "next_attempt_ms",
    "created_ms",
    "finished_ms",
    "lease_until_ms",
    "leased_by",
  ],
  (db, v) =>
    db
      .insertInto("webhook_delivery")
      .values((eb) => ({
        ...v,
        status: eb
          .case()
          .when(
            eb.or([
              eb.exists(unfinishedInStream(db, v.user_id, v.chat_id)),
              eb.exists(pauseOf(db, v.user_id)),
            ]),
          )
          .then(QUEUED)
          .else(PENDING)
          .end(),
      }))
      .returning("status"),
);

/**
 * Does the account's stream for this chat have a head (a pending delivery) other than `exceptId`?
 * A delivery sent again waits behind it.
 */
export async function streamHasOtherHead(
  db: Db,
  userId: number,
  chatId: string,
  exceptId: string,
): Promise<boolean> {
  const row = await unfinishedInStream(db, userId, chatId)
    .where("status", "=", PENDING)
    .where("id", "!=", exceptId)
    // A literal: SQLite runs "limit ?" several times slower here.
    .limit(sql.lit(1))
    .executeTakeFirst();
  return row !== undefined;
}
