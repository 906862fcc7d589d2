// A message as getMessagesV3 shows it to one participant: direction, is_read and read are from
// that participant's point of view.
//   direction: "out" for the viewer's own messages, "in" for the other side's.
//   is_read:   own messages are read by definition; the other side's once the viewer read the chat.
//   read:      when the message's recipient read it (for own messages: the other side), or null.
import type { JsonObject, Message } from "../../store/records.ts";
import { imageSizeUrls, type PublicUrls } from "../public-urls.ts";

export interface QuoteView {
  id: string;
  author_id: number;
  created: number;
  type: string;
  content: JsonObject;
}

export interface MessageView {
  id: string;
  author_id: number;
  created: number;
  type: string;
  content: JsonObject;
  direction: "in" | "out";
  is_read: boolean;
  read: number | null;
  quote?: QuoteView;
}

export function direction(message: Message, viewerId: number): "in" | "out" {
  return message.authorId === viewerId ? "out" : "in";
}

/**
 * The content as the API shows it. Image and voice messages store only their attachment's id; the
 * image's size URLs are derived from it here, so they follow BESEDA_PUBLIC_URL.
 */
export function contentOf(message: Message, urls: PublicUrls): JsonObject {
  if (message.attachmentId !== null && message.type === "image") {
    return { image: { sizes: imageSizeUrls(urls, message.attachmentId) } };
  }
  if (message.attachmentId !== null && message.type === "voice") {
    return { voice: { voice_id: message.attachmentId } };
  }
  return message.content;
}

export function quoteView(message: Message, urls: PublicUrls): QuoteView {
  return {
    id: message.id,
    author_id: message.authorId,
    created: message.created,
    type: message.type,
    content: contentOf(message, urls),
  };
}

export function messageView(
  message: Message,
  viewerId: number,
  urls: PublicUrls,
  quoted?: Message,
): MessageView {
  const own = message.authorId === viewerId;
  const view: MessageView = {
    id: message.id,
    author_id: message.authorId,
    created: message.created,
    type: message.type,
    content: contentOf(message, urls),
    direction: direction(message, viewerId),
    is_read: own || message.readAt !== null,
    read: message.readAt,
  };
  if (quoted) view.quote = quoteView(quoted, urls);
  return view;
}
