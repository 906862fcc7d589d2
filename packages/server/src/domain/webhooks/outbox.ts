// Puts the deliveries of an event into the outbox, inside the transaction that writes the event:
// a crash between the write and the POST loses nothing, and a 200 on send never waits for a
// receiver. One delivery per participant with a subscription, the author included (production
// echoes an account's own messages).
import { randomUUID } from "node:crypto";
import type { Chat, Message } from "../../store/records.ts";
import {
  findSubscriptions,
  insertDeliveries,
  nextChatEvent,
  streamBusy,
} from "../../store/repositories/webhooks.ts";
import type { Db } from "../../store/store.ts";
import type { DomainContext } from "../context.ts";
import { webhookBody } from "./envelope.ts";

/** Returns how many deliveries were queued: the caller wakes the dispatcher after commit if any. */
export async function enqueueMessageEvent(
  ctx: DomainContext,
  db: Db,
  chat: Chat,
  participants: readonly number[],
  message: Message,
): Promise<number> {
  const subscribed = await findSubscriptions(db, participants);
  if (subscribed.length === 0) return 0;
  const position = await nextChatEvent(db, chat.id);
  const nowMs = ctx.clock.nowMs();
  const timestamp = Math.floor(nowMs / 1000);
  const deliveries = [];
  for (const subscription of subscribed) {
    // Behind an unfinished delivery of the same stream, it waits its turn (queued).
    const busy = await streamBusy(db, subscription.userId, chat.id);
    const id = randomUUID();
    deliveries.push({
      id,
      userId: subscription.userId,
      chatId: chat.id,
      position,
      messageId: message.id,
      event: "message",
      body: webhookBody(
        id,
        timestamp,
        { chat, message, recipientId: subscription.userId },
        ctx.urls,
      ),
      status: busy ? ("queued" as const) : ("pending" as const),
      attempts: 0,
      step: 0,
      windowStartMs: nowMs,
      nextAttemptMs: nowMs,
      createdMs: nowMs,
      finishedMs: null,
    });
  }
  await insertDeliveries(db, deliveries);
  return subscribed.length;
}
