// The outbox as a work queue: the due pending heads, the next wake-up, the results of attempts
// moving deliveries on (delivered, retry, failed), and promotion of a stream's next queued
// delivery to its head. The only part that changes with the way claims are made (PostgreSQL).
import { sql, type Transaction, type UpdateObject } from "kysely";
import { powerOfTwoChunks } from "../chunks.ts";
import { dialectOf } from "../dialect.ts";
import { num } from "../records.ts";
import type { Database, DeliveryStatus } from "../schema.ts";
import type { Db } from "../store.ts";
import { pauseOf } from "./webhook-pauses.ts";
import {
  ATTEMPTED,
  type Delivery,
  type DueDelivery,
  type Lease,
  PENDING,
  QUEUED,
  toDelivery,
  unfinishedInStream,
} from "./webhook-records.ts";
import { findTargets } from "./webhook-subscriptions.ts";

/**
 * Locks the chats' rows until the transaction ends, so that what it decides about their streams
 * (a finished head's successor, a delivery sent again) cannot miss a delivery written meanwhile:
 * a send holds its chat's row from advancing the chat until it commits, so one of the two waits
 * for the other and then sees its writes (PostgreSQL's READ COMMITTED takes a new snapshot per
 * statement). In id order, so that two transactions locking several chats never deadlock. SQLite
 * runs one write transaction at a time: nothing to lock.
 */
export async function lockStreams(
  tx: Transaction<Database>,
  chatIds: Iterable<string>,
): Promise<void> {
  if (dialectOf(tx) !== "postgres") return;
  const sorted = [...new Set(chatIds)].sort();
  for (const chunk of powerOfTwoChunks(sorted)) {
    await tx
      .selectFrom("chat")
      .select("id")
      .where("id", "in", chunk)
      .orderBy("id")
      .forUpdate()
      .execute();
  }
}

/**
 * Claims pending deliveries that are due and that no other node holds (no lease, or one that ran
 * out: its node died, or its attempt outlived it), earliest first, leasing them to the caller's
 * node. Its own come back too: the caller skips those it has in flight.
 * Only the head of each stream is pending. On PostgreSQL rows another node is claiming at the
 * same moment are skipped, not waited for.
 */
export async function claimDue(
  db: Db,
  at: { nowMs: number; realNowMs: number },
  lease: Lease,
  limit: number,
): Promise<DueDelivery[]> {
  let due = db
    .selectFrom("webhook_delivery")
    .select("id")
    .where("status", "=", PENDING)
    .where("next_attempt_ms", "<=", at.nowMs)
    .where((eb) =>
      eb.or([
        eb("lease_until_ms", "is", null),
        eb("lease_until_ms", "<=", at.realNowMs),
        // Its own, not started yet (no free slot, or its id still busy with an older attempt).
        eb("leased_by", "=", lease.node),
      ]),
    )
    .orderBy("next_attempt_ms")
    .limit(limit);
  if (dialectOf(db) === "postgres") due = due.forUpdate().skipLocked();
  const rows = await db
    .updateTable("webhook_delivery")
    .set({ lease_until_ms: lease.untilMs, leased_by: lease.node })
    .where("id", "in", due)
    .returningAll()
    .execute();
  const deliveries = rows.map(toDelivery).sort((a, b) => a.nextAttemptMs - b.nextAttemptMs);
  const targets = await findTargets(db, [...new Set(deliveries.map((d) => d.userId))]);
  return deliveries.map((d) => ({ ...d, target: targets.get(d.userId) ?? null }));
}

/**
 * Makes the next queued delivery of a stream its pending head, due now and leased to the caller's
 * node, and returns it (or undefined when the stream is empty, or the
 * account's deliveries are paused).
 */
export async function promoteNext(
  db: Db,
  userId: number,
  chatId: string,
  nowMs: number,
  lease: Lease,
): Promise<Delivery | undefined> {
  const row = await db
    .updateTable("webhook_delivery")
    .set({
      status: "pending",
      next_attempt_ms: nowMs,
      window_start_ms: nowMs,
      lease_until_ms: lease.untilMs,
      leased_by: lease.node,
    })
    .where(
      "id",
      "=",
      unfinishedInStream(db, userId, chatId)
        .where("status", "=", QUEUED)
        .orderBy("position")
        .limit(1),
    )
    .where(({ not, exists }) => not(exists(pauseOf(db, userId))))
    .returningAll()
    .executeTakeFirst();
  return row && toDelivery(row);
}

/**
 * Makes these queued deliveries (each the next of its stream) pending heads, due now, leased to
 * the caller's node (null: to whoever finds them due); returns the ids that
 * were still queued (and whose account's deliveries are not paused).
 */
export function promote(
  db: Db,
  ids: readonly string[],
  nowMs: number,
  lease: Lease | null,
): Promise<Set<string>> {
  return moveDeliveries(
    db,
    ids,
    { from: ["queued"], unlessPaused: true },
    {
      status: "pending",
      next_attempt_ms: nowMs,
      window_start_ms: nowMs,
      lease_until_ms: lease?.untilMs ?? null,
      leased_by: lease?.node ?? null,
    },
  );
}

/**
 * Records one more attempt, answered 200, for each of these deliveries; returns the ids that
 * were still pending, or queued by a pause that came while they were in flight (one cancelled
 * while in flight stays cancelled).
 */
export function markDelivered(db: Db, ids: readonly string[], atMs: number): Promise<Set<string>> {
  return moveDeliveries(
    db,
    ids,
    { from: ATTEMPTED, unlessPaused: false },
    {
      status: "delivered",
      attempts: sql<number>`${sql.ref("attempts")} + 1`,
      finished_ms: atMs,
      lease_until_ms: null,
      leased_by: null,
    },
  );
}

/** Updates those of `ids` that are in one of the `from` statuses, a few statements for many. */
async function moveDeliveries(
  db: Db,
  ids: readonly string[],
  which: { from: readonly DeliveryStatus[]; unlessPaused: boolean },
  update: UpdateObject<Database, "webhook_delivery">,
): Promise<Set<string>> {
  const moved = new Set<string>();
  for (const chunk of powerOfTwoChunks(ids)) {
    let query = db
      .updateTable("webhook_delivery")
      .set(update)
      .where("id", "in", chunk)
      .where("status", "in", which.from);
    if (which.unlessPaused) {
      query = query.where(({ not, exists }) =>
        not(exists(pauseOf(db, sql.ref<number>("webhook_delivery.user_id")))),
      );
    }
    const rows = await query.returning("id").execute();
    for (const row of rows) moved.add(row.id);
  }
  return moved;
}

/**
 * Lets go of what `node` held: at its start, what it leased before it stopped (a crash included)
 * goes out again at once instead of when the leases run out.
 */
export async function releaseLeases(db: Db, node: string): Promise<void> {
  await db
    .updateTable("webhook_delivery")
    .set({ lease_until_ms: null, leased_by: null })
    .where("leased_by", "=", node)
    .where("finished_ms", "is", null)
    .execute();
}

/** When the first pending delivery falls due after `afterMs`, or null when none does. */
export async function nextDueAfter(db: Db, afterMs: number): Promise<number | null> {
  const row = await db
    .selectFrom("webhook_delivery")
    .select("next_attempt_ms")
    .where("status", "=", PENDING)
    .where("next_attempt_ms", ">", afterMs)
    .orderBy("next_attempt_ms")
    .limit(1)
    .executeTakeFirst();
  return row ? num(row.next_attempt_ms) : null;
}

export interface DeliveryUpdate {
  status: DeliveryStatus;
  attempts: number;
  step: number;
  nextAttemptMs: number;
  finishedMs: number | null;
}

/**
 * Moves a delivery on after an attempt, and answers the status written: a retry of a paused
 * account waits queued instead of pending. A delivery cancelled while its attempt was in flight
 * stays as it is: the answer is null.
 */
export async function updateDelivery(
  db: Db,
  id: string,
  update: DeliveryUpdate,
): Promise<DeliveryStatus | null> {
  const row = await db
    .updateTable("webhook_delivery")
    .set((eb) => ({
      status:
        update.status === "pending"
          ? eb
              .case()
              .when(eb.exists(pauseOf(db, sql.ref<number>("webhook_delivery.user_id"))))
              .then(QUEUED)
              .else(PENDING)
              .end()
          : update.status,
      attempts: update.attempts,
      step: update.step,
      next_attempt_ms: update.nextAttemptMs,
      finished_ms: update.finishedMs,
      // A retry is taken by whichever node finds it due (this one, unless it died meanwhile).
      lease_until_ms: null,
      leased_by: null,
    }))
    .where("id", "=", id)
    .where("status", "in", ATTEMPTED)
    .returning("status")
    .executeTakeFirst();
  return row?.status ?? null;
}

/**
 * Makes the first queued delivery of each of the account's streams that has no pending head its
 * head, due now (what a pause held back goes out again, each chat in order); returns their ids.
 */
export async function promoteStreamHeads(
  db: Db,
  userId: number,
  nowMs: number,
): Promise<Set<string>> {
  const unfinished = await db
    .selectFrom("webhook_delivery")
    .select(["id", "chat_id", "status"])
    .where("user_id", "=", userId)
    .where("finished_ms", "is", null)
    .orderBy("chat_id")
    .orderBy("position")
    .execute();
  const heads: string[] = [];
  for (const stream of Map.groupBy(unfinished, (row) => row.chat_id).values()) {
    const [first] = stream;
    if (first && stream.every((row) => row.status === "queued")) heads.push(first.id);
  }
  return promote(db, heads, nowMs, null);
}
