// The delivery log, as the sandbox shows it, and redelivery of one delivery on demand.
import { BesedaError } from "../../errors/beseda-error.ts";
import { findAccounts } from "../../store/repositories/accounts.ts";
import {
  type DeliveryFilter,
  findDelivery,
  listDeliveries,
  restartDelivery,
} from "../../store/repositories/webhook-delivery-log.ts";
import { streamHasOtherHead } from "../../store/repositories/webhook-outbox.ts";
import { isPaused } from "../../store/repositories/webhook-pauses.ts";
import { lockStreams } from "../../store/repositories/webhook-queue.ts";
import type {
  Attempt,
  Delivery,
  DeliveryStatus,
} from "../../store/repositories/webhook-records.ts";
import { findSubscription } from "../../store/repositories/webhook-subscriptions.ts";
import type { DomainContext } from "../context.ts";
import { DELIVERY_HEADERS, requestHeaders } from "./request-headers.ts";

export type { DeliveryStatus };

export interface AttemptView {
  number: number;
  url: string;
  at: string;
  duration_ms: number;
  status: number | null;
  error: string | null;
  response: string | null;
  /** The sandbox fault rule that decided this attempt ("fault-3"); null: a real one. */
  fault: string | null;
}

export interface DeliveryView {
  id: string;
  user_id: number;
  chat_id: string;
  message_id: string;
  status: DeliveryStatus;
  attempts: AttemptView[];
  created: string;
  next_attempt: string | null;
  finished: string | null;
  /** The JSON body that is POSTed, parsed. */
  body: unknown;
  /** The body's exact bytes, as POSTed and signed. */
  raw_body: string;
  /** The headers it is POSTed with (the signature made with the account's client secret). */
  headers: Record<string, string>;
}

const iso = (ms: number) => new Date(ms).toISOString();

function view(
  delivery: Delivery,
  attempts: readonly Attempt[],
  signingKey: string | undefined,
): DeliveryView {
  return {
    id: delivery.id,
    user_id: delivery.userId,
    chat_id: delivery.chatId,
    message_id: delivery.messageId,
    status: delivery.status,
    attempts: attempts.map((a) => ({
      number: a.number,
      url: a.url,
      at: iso(a.startedMs),
      duration_ms: a.durationMs,
      status: a.statusCode,
      error: a.error,
      response: a.responseExcerpt,
      fault: a.faultId ?? null,
    })),
    created: iso(delivery.createdMs),
    next_attempt: delivery.status === "pending" ? iso(delivery.nextAttemptMs) : null,
    finished: delivery.finishedMs === null ? null : iso(delivery.finishedMs),
    body: JSON.parse(delivery.body),
    raw_body: delivery.body,
    headers: requestHeaders(DELIVERY_HEADERS, delivery.body, signingKey),
  };
}

export async function deliveryLog(
  ctx: DomainContext,
  filter: DeliveryFilter,
): Promise<{ deliveries: DeliveryView[] }> {
  const found = await listDeliveries(ctx.store.db, filter);
  const userIds = [...new Set(found.map(({ delivery }) => delivery.userId))];
  const secrets = new Map(
    (await findAccounts(ctx.store.db, userIds)).map((account) => [
      account.id,
      account.clientSecret,
    ]),
  );
  return {
    deliveries: found.map(({ delivery, attempts }) =>
      view(delivery, attempts, secrets.get(delivery.userId)),
    ),
  };
}

/**
 * Sends a delivery again, whatever became of it, from the start of the retry schedule: now, or
 * after the delivery in flight for its chat (it then waits queued, in its place by event order),
 * or, while the account's deliveries are paused, once they are resumed.
 */
export async function redeliver(
  ctx: DomainContext,
  id: string,
): Promise<{ id: string; status: "pending" | "queued" }> {
  const status = await ctx.store.transaction(async (db) => {
    const delivery = await findDelivery(db, id);
    if (!delivery) throw new BesedaError("delivery_not_found");
    // Whether its stream has a head is decided here: no send into the chat meanwhile.
    await lockStreams(db, [delivery.chatId]);
    // Its answer, when it comes, would be written over the restart: the click would send nothing.
    if (ctx.webhooks.inFlight(id)) throw new BesedaError("delivery_in_flight");
    if (!(await findSubscription(db, delivery.userId))) throw new BesedaError("no_subscription");
    // Queued behind its stream's head (another one: a delivery waiting for its own retry is the
    // head, and goes again now), or while the account's deliveries are paused.
    const waits =
      (await streamHasOtherHead(db, delivery.userId, delivery.chatId, delivery.id)) ||
      (await isPaused(db, delivery.userId));
    const next = waits ? "queued" : "pending";
    await restartDelivery(db, id, ctx.clock.nowMs(), next);
    return next;
  });
  ctx.webhooks.resync();
  return { id, status };
}
