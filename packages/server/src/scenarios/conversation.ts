// A chat's messages as a report shows them: whose side wrote each, and its content in one line
// ("[image 1280x960]", "[location 55.75, 37.62 Кремль]") so that any type reads in a terminal.
import type { ConversationLine } from "./report.ts";
import type { SandboxMessage } from "./sandbox-shapes.ts";

/**
 * The text a reply matcher checks: a text's or a system message's text, a link's text (the URL
 * when it has none), a location's or an item's title; "" for content without words.
 */
export function messageText(message: SandboxMessage): string {
  const content = message.content ?? {};
  switch (message.type) {
    case "text":
    case "system":
      return content.text ?? "";
    case "link":
      return content.link?.text ?? content.link?.url ?? "";
    case "location":
      return content.location?.title ?? content.location?.text ?? "";
    case "item":
      return content.item?.title ?? "";
    default:
      return "";
  }
}

/** One line for any message: its text, or its content in brackets. */
export function renderMessage(message: SandboxMessage): string {
  const content = message.content ?? {};
  switch (message.type) {
    case "text":
    case "system":
      return content.text ?? "";
    case "image": {
      const size = Object.keys(content.image?.sizes ?? {})[0];
      return size ? `[image ${size}]` : "[image]";
    }
    case "voice":
      return content.voice?.voice_id ? `[voice ${content.voice.voice_id}]` : "[voice]";
    case "location": {
      const place = content.location;
      const title = place?.title ?? place?.text;
      return `[location ${place?.lat ?? "?"}, ${place?.lon ?? "?"}${title ? ` ${title}` : ""}]`;
    }
    case "item": {
      const item = content.item;
      return `[item ${item?.title ?? "?"}${item?.price_string ? `, ${item.price_string}` : ""}]`;
    }
    case "link": {
      const url = content.link?.url ?? "";
      const text = content.link?.text;
      return text && text !== url ? `[link ${text} ${url}]` : `[link ${url}]`;
    }
    case "call":
      return "[missed call]";
    case "deleted":
      return "[deleted]";
    default:
      return `[${message.type}]`;
  }
}

/** A chat's messages, oldest first, as report lines; `buyerId`'s are the buyer's side. */
export function conversationLines(
  messages: readonly SandboxMessage[],
  buyerId: number,
): ConversationLine[] {
  return messages.map((message) => ({
    message_id: message.id,
    side: message.author_id === buyerId ? "buyer" : "seller",
    author_id: message.author_id,
    type: message.type,
    text: renderMessage(message),
    created: message.created,
  }));
}
