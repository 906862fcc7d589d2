// The deliveries' history: the attempt log, looking deliveries up and listing them with their
// attempts, and restarting one (a redelivery) from the start of its schedule.
import type { Selectable } from "kysely";
import { powerOfTwoChunks } from "../chunks.ts";
import { num } from "../records.ts";
import type { DeliveryStatus, WebhookAttemptTable } from "../schema.ts";
import type { Db } from "../store.ts";
import { type Attempt, type Delivery, toDelivery } from "./webhook-records.ts";

function toAttempt(row: Selectable<WebhookAttemptTable>): Attempt {
  return {
    deliveryId: row.delivery_id,
    number: row.number,
    url: row.url,
    startedMs: num(row.started_ms),
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    error: row.error,
    responseExcerpt: row.response_excerpt,
    faultId: row.fault_id,
  };
}

/** Logs attempts, a few statements for many. */
export async function insertAttempts(db: Db, attempts: readonly Attempt[]): Promise<void> {
  for (const chunk of powerOfTwoChunks(attempts)) await insertAttemptRows(db, chunk);
}

async function insertAttemptRows(db: Db, attempts: readonly Attempt[]): Promise<void> {
  await db
    .insertInto("webhook_attempt")
    .values(
      attempts.map((attempt) => ({
        delivery_id: attempt.deliveryId,
        number: attempt.number,
        url: attempt.url,
        started_ms: attempt.startedMs,
        duration_ms: attempt.durationMs,
        status_code: attempt.statusCode,
        error: attempt.error,
        response_excerpt: attempt.responseExcerpt,
        fault_id: attempt.faultId ?? null,
      })),
    )
    // Two nodes may both have tried a delivery (one's lease ran out while its POST hung): the
    // first to write an attempt's number keeps it, and the other's results are written still.
    .onConflict((oc) => oc.columns(["delivery_id", "number"]).doNothing())
    .execute();
}

export async function findDelivery(db: Db, id: string): Promise<Delivery | undefined> {
  const row = await db
    .selectFrom("webhook_delivery")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toDelivery(row);
}

/** Sends a delivery again from the start of the schedule: due now, or queued behind its stream. */
export async function restartDelivery(
  db: Db,
  id: string,
  nowMs: number,
  status: "pending" | "queued",
): Promise<void> {
  await db
    .updateTable("webhook_delivery")
    .set({
      status,
      step: 0,
      window_start_ms: nowMs,
      next_attempt_ms: nowMs,
      finished_ms: null,
      lease_until_ms: null,
      leased_by: null,
    })
    .where("id", "=", id)
    .execute();
}

export interface DeliveryFilter {
  userId: number | null;
  status: DeliveryStatus | null;
  /** Only the deliveries of this chat's events. */
  chatId: string | null;
  /** Only the deliveries of this message's events (its creation, its deletion). */
  messageId: string | null;
  limit: number;
}

/**
 * Newest first, each with its attempts. No index holds chat or message ids of finished
 * deliveries (webhook_delivery_stream holds only unfinished ones): with `userId` they are
 * conditions on the rows of webhook_delivery_log_by_account, read newest first, so a look for
 * one message reads that account's log, not the outbox, and sends back only what matched; an
 * index on message_id would cost every delivery's commit a random page for a look made only
 * when something went wrong.
 */
export async function listDeliveries(
  db: Db,
  filter: DeliveryFilter,
): Promise<{ delivery: Delivery; attempts: Attempt[] }[]> {
  let query = db.selectFrom("webhook_delivery").selectAll();
  if (filter.userId !== null) query = query.where("user_id", "=", filter.userId);
  if (filter.status !== null) query = query.where("status", "=", filter.status);
  if (filter.chatId !== null) query = query.where("chat_id", "=", filter.chatId);
  if (filter.messageId !== null) query = query.where("message_id", "=", filter.messageId);
  const deliveries = (
    await query
      .orderBy("created_ms", "desc")
      .orderBy("position", "desc")
      .limit(filter.limit)
      .execute()
  ).map(toDelivery);
  if (deliveries.length === 0) return [];
  const attempts = (
    await db
      .selectFrom("webhook_attempt")
      .selectAll()
      .where(
        "delivery_id",
        "in",
        deliveries.map((d) => d.id),
      )
      .orderBy("number")
      .execute()
  ).map(toAttempt);
  return deliveries.map((delivery) => ({
    delivery,
    attempts: attempts.filter((a) => a.deliveryId === delivery.id),
  }));
}
