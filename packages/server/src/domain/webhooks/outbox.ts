// Puts the deliveries of an event into the outbox, inside the transaction that writes the event:
// a crash between the write and the POST loses nothing, and a 200 on send never waits for a
// receiver. One delivery per member of the chat with a subscription, the author included
// (production echoes an account's own messages). The caller hands the deliveries to the
// dispatcher once the transaction has committed, so that fresh ones go out without being looked
// up again.
import type { Message } from "../../store/records.ts";
import { insertDelivery, nextChatEvent } from "../../store/repositories/webhook-outbox.ts";
import type { DueDelivery } from "../../store/repositories/webhook-records.ts";
import { findChatTargets } from "../../store/repositories/webhook-subscriptions.ts";
import type { Db } from "../../store/store.ts";
import type { DomainContext } from "../context.ts";
import type { ChatIdentity } from "../immutable-cache.ts";
import { webhookBody } from "./envelope.ts";

/**
 * Queues the event's deliveries and returns them, for the dispatcher after the commit. `position`
 * is the event's number in its chat, or null to take the next one (a new message took its own
 * when it advanced the chat).
 */
export async function enqueueMessageEvent(
  ctx: DomainContext,
  db: Db,
  chat: ChatIdentity,
  message: Message,
  position: number | null,
): Promise<DueDelivery[]> {
  const targets = await findChatTargets(db, chat.id);
  if (targets.size === 0) return [];
  const eventPosition = position ?? (await nextChatEvent(db, chat.id));
  const nowMs = ctx.clock.nowMs();
  const timestamp = Math.floor(nowMs / 1000);
  const deliveries: DueDelivery[] = [];
  for (const [userId, target] of targets) {
    const id = ctx.random.uuid();
    const delivery = {
      id,
      userId,
      chatId: chat.id,
      position: eventPosition,
      messageId: message.id,
      event: "message",
      body: webhookBody(id, timestamp, { chat, message, recipientId: userId }, ctx.urls),
      attempts: 0,
      step: 0,
      windowStartMs: nowMs,
      nextAttemptMs: nowMs,
      createdMs: nowMs,
      finishedMs: null,
    };
    // Behind an unfinished delivery of the same stream, it waits its turn (queued).
    // Leased to this node, which sends it once the write commits (if it is the stream's head).
    const status = await insertDelivery(db, delivery, {
      untilMs: ctx.clock.realNowMs() + ctx.settings.webhookLeaseMs,
      node: ctx.settings.nodeId,
    });
    deliveries.push({ ...delivery, status, target });
  }
  return deliveries;
}
