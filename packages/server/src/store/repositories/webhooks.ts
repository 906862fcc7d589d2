// Webhook subscriptions, the delivery outbox and its attempt log, and the accounts whose deliveries
// are paused. The outbox's indexes hold only unfinished deliveries (see the partial-indexes
// migration): queries that use them repeat the index's condition as a literal (status = 'pending',
// finished_ms is null), which is what lets the planner pick a partial index.
//
// A paused account's deliveries are all queued: a new one is written queued, pausing queues its
// pending ones, and nothing promotes them (promote, promoteNext) until resuming makes each
// stream's first one its head again (promoteStreamHeads). An attempt that was already in flight
// when the pause came still has its result written (updateDelivery, markDelivered).
import { type RawBuilder, type Selectable, sql, type UpdateObject } from "kysely";
import { powerOfTwoChunks } from "../chunks.ts";
import { precompiled } from "../precompiled.ts";
import { num, numOrNull } from "../records.ts";
import type {
  Database,
  DeliveryStatus,
  WebhookAttemptTable,
  WebhookDeliveryTable,
  WebhookSubscriptionTable,
} from "../schema.ts";
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

/** A delivery with its target, or null when the account has no subscription (any more). */
export interface DueDelivery extends Delivery {
  target: DeliveryTarget | null;
}

const PENDING = sql.lit<DeliveryStatus>("pending");
const QUEUED = sql.lit<DeliveryStatus>("queued");
/** What an attempt that ended may move on: pending, or queued by a pause while it was in flight. */
const ATTEMPTED: readonly DeliveryStatus[] = ["pending", "queued"];

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

function toSubscription(row: Selectable<WebhookSubscriptionTable>): Subscription {
  return {
    userId: num(row.user_id),
    url: row.url,
    version: row.version,
    created: num(row.created),
  };
}

function toDelivery(row: Selectable<WebhookDeliveryTable>): Delivery {
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

export async function findSubscription(db: Db, userId: number): Promise<Subscription | undefined> {
  const row = await db
    .selectFrom("webhook_subscription")
    .selectAll()
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row && toSubscription(row);
}

/** The subscribed accounts among `userIds`, each with its URL and client secret. */
export async function findTargets(
  db: Db,
  userIds: readonly number[],
): Promise<Map<number, DeliveryTarget>> {
  const targets = new Map<number, DeliveryTarget>();
  if (userIds.length === 0) return targets;
  const rows = await db
    .selectFrom("webhook_subscription")
    .innerJoin("account", "account.id", "webhook_subscription.user_id")
    .select(["webhook_subscription.user_id", "webhook_subscription.url", "account.client_secret"])
    .where("webhook_subscription.user_id", "in", userIds)
    .execute();
  for (const row of rows) targets.set(num(row.user_id), toTarget(row));
  return targets;
}

function toTarget(row: { url: string; client_secret: string }): DeliveryTarget {
  return { url: row.url, clientSecret: row.client_secret };
}

/** The chat's subscribed members, each with its URL and client secret. */
export async function findChatTargets(
  db: Db,
  chatId: string,
): Promise<Map<number, DeliveryTarget>> {
  const { rows } = await chatTargets(db, { chatId });
  return new Map(rows.map((row) => [num(row.user_id), toTarget(row)]));
}

const chatTargets = precompiled(["chatId"], (db, v) =>
  db
    .selectFrom("chat_member")
    .innerJoin("webhook_subscription", "webhook_subscription.user_id", "chat_member.user_id")
    .innerJoin("account", "account.id", "chat_member.user_id")
    .select(["chat_member.user_id", "webhook_subscription.url", "account.client_secret"])
    .where("chat_member.chat_id", "=", v.chatId),
);

/** The account's one subscription becomes `url` (a new URL replaces the old one). */
export async function putSubscription(db: Db, subscription: Subscription): Promise<void> {
  await db
    .insertInto("webhook_subscription")
    .values({
      user_id: subscription.userId,
      url: subscription.url,
      version: subscription.version,
      created: subscription.created,
    })
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet({ url: subscription.url, created: subscription.created }),
    )
    .execute();
}

export async function deleteSubscription(db: Db, userId: number, url: string): Promise<boolean> {
  const result = await db
    .deleteFrom("webhook_subscription")
    .where("user_id", "=", userId)
    .where("url", "=", url)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

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

/**
 * An account's stream for one chat: its unfinished deliveries (the partial stream index holds
 * exactly these).
 */
function unfinishedInStream(db: Db, userId: number, chatId: string) {
  return db
    .selectFrom("webhook_delivery")
    .select("id")
    .where("user_id", "=", userId)
    .where("chat_id", "=", chatId)
    .where("finished_ms", "is", null);
}

/** A new delivery, not yet placed in its stream. */
export type NewDelivery = Omit<Delivery, "status">;

/**
 * Writes a new delivery into its stream, in one statement: pending (due now) if the stream was
 * empty and the account's deliveries are not paused, else queued. Returns which.
 */
export async function insertDelivery(db: Db, d: NewDelivery): Promise<"pending" | "queued"> {
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

/** Pending deliveries that are due, earliest first (only the head of each stream is pending). */
export async function dueDeliveries(db: Db, nowMs: number, limit: number): Promise<DueDelivery[]> {
  const rows = await db
    .selectFrom("webhook_delivery")
    .selectAll()
    .where("status", "=", PENDING)
    .where("next_attempt_ms", "<=", nowMs)
    .orderBy("next_attempt_ms")
    .limit(limit)
    .execute();
  const deliveries = rows.map(toDelivery);
  const targets = await findTargets(db, [...new Set(deliveries.map((d) => d.userId))]);
  return deliveries.map((d) => ({ ...d, target: targets.get(d.userId) ?? null }));
}

/**
 * Makes the next queued delivery of a stream its pending head, due now, and returns it (or
 * undefined when the stream is empty, or the account's deliveries are paused).
 */
export async function promoteNext(
  db: Db,
  userId: number,
  chatId: string,
  nowMs: number,
): Promise<Delivery | undefined> {
  const row = await db
    .updateTable("webhook_delivery")
    .set({ status: "pending", next_attempt_ms: nowMs, window_start_ms: nowMs })
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
 * Makes these queued deliveries (each the next of its stream) pending heads, due now; returns
 * the ids that were still queued (and whose account's deliveries are not paused).
 */
export function promote(db: Db, ids: readonly string[], nowMs: number): Promise<Set<string>> {
  return moveDeliveries(
    db,
    ids,
    { from: ["queued"], unlessPaused: true },
    { status: "pending", next_attempt_ms: nowMs, window_start_ms: nowMs },
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
    .execute();
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
    }))
    .where("id", "=", id)
    .where("status", "in", ATTEMPTED)
    .returning("status")
    .executeTakeFirst();
  return row?.status ?? null;
}

/** Unfinished deliveries of an account that unsubscribed: nobody is left to receive them. */
export async function cancelPending(db: Db, userId: number, nowMs: number): Promise<void> {
  await db
    .updateTable("webhook_delivery")
    .set({ status: "cancelled", finished_ms: nowMs })
    .where("user_id", "=", userId)
    .where("finished_ms", "is", null)
    .execute();
}

/** Cancels an account's unfinished deliveries if it has no subscription (any more). */
export async function cancelUnsubscribed(db: Db, userId: number, nowMs: number): Promise<void> {
  await db
    .updateTable("webhook_delivery")
    .set({ status: "cancelled", finished_ms: nowMs })
    .where("user_id", "=", userId)
    .where("finished_ms", "is", null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom("webhook_subscription").select("user_id").where("user_id", "=", userId)),
      ),
    )
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

/** Every subscription, by account: the sandbox's export. */
export async function allSubscriptions(db: Db): Promise<Subscription[]> {
  const rows = await db.selectFrom("webhook_subscription").selectAll().orderBy("user_id").execute();
  return rows.map(toSubscription);
}

/** The account's row in webhook_pause, if its deliveries are paused. */
function pauseOf(db: Db, userId: number | RawBuilder<number>) {
  return db.selectFrom("webhook_pause").select("user_id").where("user_id", "=", userId);
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
  return promote(db, heads, nowMs);
}
