// getChatsV2 and getChatByIdV2 answers built as encoded JSON: the same bytes as JSON.stringify of
// chat-view.ts's objects would be (a test compares them on the seeded world), with the users'
// profiles and the items' contexts taken encoded from the fragments instead of built each time.
import type { ChatPageRow } from "../../store/repositories/chat-pages.ts";
import type { ChatParties } from "../immutable-cache.ts";
import { type JsonBytes, JsonWriter } from "./json-bytes.ts";
import { messageContentJson } from "./message-json.ts";
import type { ReadFragments } from "./read-fragments.ts";

/** A chat of the page with who takes part in it. */
export interface ChatToShow {
  row: ChatPageRow;
  parties: ChatParties;
}

/** Users in a stable order: the item's owner first, then by id (as chat-view's callers had it). */
function sellerFirst(ownerId: number | undefined) {
  return (a: number, b: number) => Number(b === ownerId) - Number(a === ownerId) || a - b;
}

function writeChat(
  out: JsonWriter,
  fragments: ReadFragments,
  { row, parties }: ChatToShow,
  viewerId: number,
): void {
  const { lastMessage } = row;
  const itemId = parties.chat.itemId;
  const item = itemId === null ? undefined : fragments.item(itemId);
  const sold = item && itemId !== null ? { id: itemId, ownerId: item.ownerId } : undefined;
  out.text(
    `{"id":${JSON.stringify(row.chatId)},"created":${row.created},"updated":${row.updated},"users":[`,
  );
  let first = true;
  for (const userId of [...parties.participants].sort(sellerFirst(item?.ownerId))) {
    // An account without a row shows no profile (its fragment was never made).
    const profile = fragments.user(userId, sold);
    if (!profile) continue;
    if (!first) out.text(",");
    out.bytes(profile);
    first = false;
  }
  out.text("]");
  if (item) out.text(`,"context":`).bytes(item.context);
  if (lastMessage) {
    out.text(
      `,"last_message":{"id":${JSON.stringify(lastMessage.id)},"author_id":${lastMessage.authorId},"created":${lastMessage.created},"content":`,
    );
    messageContentJson(out, fragments, lastMessage);
    out.text(
      `,"type":${JSON.stringify(lastMessage.type)},"direction":"${lastMessage.authorId === viewerId ? "out" : "in"}"}`,
    );
  }
  out.text("}");
}

/** `{"chats":[…]}` of a page. */
export function chatListJson(
  fragments: ReadFragments,
  chats: readonly ChatToShow[],
  viewerId: number,
): JsonBytes {
  const out = new JsonWriter().text(`{"chats":[`);
  chats.forEach((chat, n) => {
    if (n > 0) out.text(",");
    writeChat(out, fragments, chat, viewerId);
  });
  return out.text("]}").finish();
}

/** One chat. */
export function chatJson(fragments: ReadFragments, chat: ChatToShow, viewerId: number): JsonBytes {
  const out = new JsonWriter();
  writeChat(out, fragments, chat, viewerId);
  return out.finish();
}
