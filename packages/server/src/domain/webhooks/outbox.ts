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
  await insertDeliveries(
    db,
    subscribed.map((subscription) => {
      const id = randomUUID();
      return {
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
        status: "pending",
        attempts: 0,
        step: 0,
        windowStartMs: nowMs,
        nextAttemptMs: nowMs,
        createdMs: nowMs,
        finishedMs: null,
      };
    }),
  );
  return subscribed.length;
}
