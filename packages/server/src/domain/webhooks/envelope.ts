// The body of a webhook POST: production's v3 envelope (WIRE-NOTES, "Webhooks") around the
// document's WebhookMessage. Built once, when the event is written, and sent byte for byte on
// every attempt.
import type { Message } from "../../store/records.ts";
import type { ChatIdentity } from "../immutable-cache.ts";
import type { PublicUrls } from "../public-urls.ts";
import { contentOf } from "../views/message-view.ts";

export const WEBHOOK_VERSION = "v3.0.0";

/** 2024-02-09T13:42:21Z: RFC 3339 in UTC, whole seconds, as the document's example. */
export function rfc3339(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function webhookBody(
  envelopeId: string,
  timestamp: number,
  event: { chat: ChatIdentity; message: Message; recipientId: number },
  urls: PublicUrls,
): string {
  const { chat, message, recipientId } = event;
  const value: Record<string, unknown> = {
    id: message.id,
    chat_id: chat.id,
    chat_type: chat.type,
    user_id: recipientId,
    author_id: message.authorId,
  };
  // item_id only for u2i chats, as on production.
  if (chat.itemId !== null) value.item_id = chat.itemId;
  value.created = message.created;
  value.type = message.type;
  value.content = contentOf(message, urls);
  value.published_at = rfc3339(message.created);
  value.read = message.readAt;
  return JSON.stringify({
    id: envelopeId,
    version: WEBHOOK_VERSION,
    timestamp,
    payload: { type: "message", value },
  });
}
