// How the sandbox verbs print: times of the sandbox clock in UTC, and a message as one line a
// person reads ("12:04:05 u2i-… Покупатель (42424242): Здравствуйте!").
import type { SandboxMessage } from "../domain/sandbox/world-overview.ts";

/** "2026-12-01 12:04:05" (UTC) for unix seconds. */
export function formatTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace("T", " ").slice(0, 19);
}

/** A message as the sandbox's GET /messages lists it. */
export type PrintedMessage = SandboxMessage;

/** The words of a message of any type, on one line. */
export function messageText(message: PrintedMessage): string {
  if (message.deleted !== null || message.type === "deleted") return "[deleted]";
  const content = message.content as Record<string, Record<string, unknown> | string | undefined>;
  switch (message.type) {
    case "text":
    case "system":
      return String(content.text ?? "");
    case "image":
      return `[image] ${Object.values((content.image as { sizes?: Record<string, string> })?.sizes ?? {})[0] ?? ""}`.trim();
    case "voice":
      return `[voice ${(content.voice as { voice_id?: string })?.voice_id ?? ""}]`;
    case "link": {
      const link = content.link as { url?: string; text?: string } | undefined;
      return `[link] ${link?.text ?? ""} ${link?.url ?? ""}`.trim();
    }
    case "item": {
      const item = content.item as { title?: string; price_string?: string } | undefined;
      return `[item] ${item?.title ?? ""}${item?.price_string ? `, ${item.price_string}` : ""}`;
    }
    case "location": {
      const place = content.location as { lat?: number; lon?: number; text?: string } | undefined;
      return `[location] ${place?.text ?? ""} (${place?.lat}, ${place?.lon})`.replace(
        "]  (",
        "] (",
      );
    }
    case "call":
      return "[missed call]";
    default:
      return `[${message.type}]`;
  }
}

export function messageLine(message: PrintedMessage, names: ReadonlyMap<number, string>): string {
  const author = names.get(message.author_id);
  const who = author ? `${author} (${message.author_id})` : String(message.author_id);
  const quote = message.quote_id ? ` ↪${message.quote_id.slice(0, 8)}` : "";
  const read = message.read !== null ? " ✓✓" : "";
  return `${formatTime(message.created)}  ${message.chat_id}  ${who}:${quote} ${messageText(message)}${read}`;
}
