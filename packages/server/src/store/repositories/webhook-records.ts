// The webhook tables' shared vocabulary: the records the repositories hand out (subscriptions,
// deliveries, attempts), the status literals and the outbox's stream query. The outbox's indexes
// hold only unfinished deliveries (see the partial-indexes migration): queries that use them repeat
// the index's condition as a literal (status = 'pending', finished_ms is null), which is what lets
// the planner pick a partial index.
import { type Selectable, sql } from "kysely";
import { num, numOrNull } from "../records.ts";
import type { DeliveryStatus, WebhookDeliveryTable } from "../schema.ts";
import type { Db } from "../store.ts";

export type { DeliveryStatus };

export interface Subscription {
  userId: number;
  url: string;
  version: string;
  created: number;
}

export interface Delivery {
  id: string;
  userId: number;
  chatId: string;
  position: number;
  messageId: string;
  event: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  step: number;
  windowStartMs: number;
  nextAttemptMs: number;
  createdMs: number;
  finishedMs: number | null;
}

/** Where a delivery goes and what signs it: the account's subscription and client secret. */
export interface DeliveryTarget {
  url: string;
  clientSecret: string;
}

/** A node's hold on the deliveries it sends: no other node takes them until `untilMs` (real time). */
export interface Lease {
  untilMs: number;
  node: string;
}

/** A delivery with its target, or null when the account has no subscription (any more). */
export interface DueDelivery extends Delivery {
  target: DeliveryTarget | null;
}

export const PENDING = sql.lit<DeliveryStatus>("pending");
export const QUEUED = sql.lit<DeliveryStatus>("queued");
/** What an attempt that ended may move on: pending, or queued by a pause while it was in flight. */
export const ATTEMPTED: readonly DeliveryStatus[] = ["pending", "queued"];

export interface Attempt {
  deliveryId: string;
  number: number;
  url: string;
  startedMs: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  /** The sandbox fault rule that decided the outcome ("fault-3"); null or absent: none. */
  faultId?: string | null;
}

export function toDelivery(row: Selectable<WebhookDeliveryTable>): Delivery {
  return {
    id: row.id,
    userId: num(row.user_id),
    chatId: row.chat_id,
    position: num(row.position),
    messageId: row.message_id,
    event: row.event,
    body: row.body,
    status: row.status,
    attempts: row.attempts,
    step: row.step,
    windowStartMs: num(row.window_start_ms),
    nextAttemptMs: num(row.next_attempt_ms),
    createdMs: num(row.created_ms),
    finishedMs: numOrNull(row.finished_ms),
  };
}

/**
 * An account's stream for one chat: its unfinished deliveries (the partial stream index holds
 * exactly these).
 */
export function unfinishedInStream(db: Db, userId: number, chatId: string) {
  return db
    .selectFrom("webhook_delivery")
    .select("id")
    .where("user_id", "=", userId)
    .where("chat_id", "=", chatId)
    .where("finished_ms", "is", null);
}
