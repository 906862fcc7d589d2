// getMessagesV3 answers built as encoded JSON: the same bytes as JSON.stringify of
// message-view.ts's objects (a test compares them on the seeded world). A text message's content
// is its stored JSON text, carried as it is; an image's size URLs come from the fragments (read-fragments.ts).
import type { MessageOnPage, MessagePageRow } from "../../store/repositories/message-pages.ts";
import { type JsonBytes, JsonWriter } from "./json-bytes.ts";
import type { ReadFragments } from "./read-fragments.ts";

type ContentSource = Pick<MessageOnPage, "type" | "contentJson" | "attachmentId">;

/** The content as the API shows it (message-view.ts's contentOf), written as JSON. */
export function messageContentJson(
  out: JsonWriter,
  fragments: ReadFragments,
  message: ContentSource,
): void {
  const { attachmentId } = message;
  if (attachmentId !== null && message.type === "image") {
    out.bytes(fragments.image(attachmentId));
  } else if (attachmentId !== null && message.type === "voice") {
    out.text(`{"voice":{"voice_id":${JSON.stringify(attachmentId)}}}`);
  } else {
    // Written by JSON.stringify and never changed since: parsing and writing it again would
    // give the same text.
    out.text(message.contentJson);
  }
}

function writeHead(out: JsonWriter, message: MessageOnPage): void {
  out.text(
    `{"id":${JSON.stringify(message.id)},"author_id":${message.authorId},"created":${message.created},"type":${JSON.stringify(message.type)},"content":`,
  );
}

/** The bare array of a page, newest first, as `viewerId` sees it. */
export function messageListJson(
  fragments: ReadFragments,
  rows: readonly MessagePageRow[],
  viewerId: number,
): JsonBytes {
  const out = new JsonWriter().text("[");
  rows.forEach((message, n) => {
    if (n > 0) out.text(",");
    writeHead(out, message);
    messageContentJson(out, fragments, message);
    const own = message.authorId === viewerId;
    out.text(
      `,"direction":"${own ? "out" : "in"}","is_read":${own || message.readAt !== null},"read":${message.readAt}`,
    );
    if (message.quote) {
      out.text(`,"quote":`);
      writeHead(out, message.quote);
      messageContentJson(out, fragments, message.quote);
      out.text("}");
    }
    out.text("}");
  });
  return out.text("]").finish();
}
