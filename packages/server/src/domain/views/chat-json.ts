// getChatsV2 and getChatByIdV2 answers built as encoded JSON: the same bytes as JSON.stringify of
// chat-view.ts's objects (a test compares them on the seeded world), with the users' profiles and
// the items' contexts taken from the fragment caches instead of built and encoded each time.

import type { ChatPageRow } from "../../store/repositories/chat-pages.ts";
import type { PublicUrls } from "../public-urls.ts";
import { itemContext, userView } from "./chat-view.ts";
import { type JsonBytes, JsonWriter } from "./json-bytes.ts";
import { messageContentJson } from "./message-json.ts";
import type { ReadFragments } from "./read-fragments.ts";

type User = NonNullable<ChatPageRow["user"]>;
type Item = NonNullable<ChatPageRow["item"]>;

/** A page's rows (one per member) grouped by chat, in the page's order. */
function groupByChat(rows: readonly ChatPageRow[]): { chat: ChatPageRow; users: User[] }[] {
  const chats: { chat: ChatPageRow; users: User[] }[] = [];
  for (const row of rows) {
    let last = chats.at(-1);
    if (last?.chat.chatId !== row.chatId) {
      last = { chat: row, users: [] };
      chats.push(last);
    }
    if (row.user) last.users.push(row.user);
  }
  return chats;
}

/** Users in a stable order: the item's owner first, then by id (as chat-view's callers had it). */
function sellerFirst(item: Item | null) {
  return (a: User, b: User) =>
    Number(b.id === item?.ownerId) - Number(a.id === item?.ownerId) || a.id - b.id;
}

function userFragment(
  urls: PublicUrls,
  fragments: ReadFragments,
  user: User,
  item: Item | null,
): Buffer {
  const ownsItem = item !== null && item.ownerId === user.id;
  const key = ownsItem ? `${user.id}:${item.id}` : String(user.id);
  // The profile key is 32 hex characters: the name after it cannot be mistaken for it.
  return fragments.users.get(key, `${urls.base}\n${user.profileKey}\n${user.name}`, () =>
    JSON.stringify(userView(urls, user, item ?? undefined)),
  );
}

function itemFragment(urls: PublicUrls, fragments: ReadFragments, item: Item): Buffer {
  const price = item.priceString ?? "";
  const source = `${urls.base}\n${item.ownerId}\n${item.statusId}\n${price.length}\n${price}${item.title}`;
  return fragments.items.get(String(item.id), source, () =>
    JSON.stringify(
      itemContext(urls, {
        id: item.id,
        ownerId: item.ownerId,
        title: item.title,
        priceString: item.priceString,
        statusId: item.statusId,
      }),
    ),
  );
}

function writeChat(
  out: JsonWriter,
  urls: PublicUrls,
  fragments: ReadFragments,
  { chat, users }: { chat: ChatPageRow; users: User[] },
  viewerId: number,
): void {
  const { item, lastMessage } = chat;
  out.text(
    `{"id":${JSON.stringify(chat.chatId)},"created":${chat.created},"updated":${chat.updated},"users":[`,
  );
  users.sort(sellerFirst(item)).forEach((user, n) => {
    if (n > 0) out.text(",");
    out.bytes(userFragment(urls, fragments, user, item));
  });
  out.text("]");
  if (item) out.text(`,"context":`).bytes(itemFragment(urls, fragments, item));
  if (lastMessage) {
    out.text(
      `,"last_message":{"id":${JSON.stringify(lastMessage.id)},"author_id":${lastMessage.authorId},"created":${lastMessage.created},"content":`,
    );
    messageContentJson(out, urls, fragments, lastMessage);
    out.text(
      `,"type":${JSON.stringify(lastMessage.type)},"direction":"${lastMessage.authorId === viewerId ? "out" : "in"}"}`,
    );
  }
  out.text("}");
}

/** `{"chats":[…]}` of a page. */
export function chatListJson(
  urls: PublicUrls,
  fragments: ReadFragments,
  rows: readonly ChatPageRow[],
  viewerId: number,
): JsonBytes {
  const out = new JsonWriter().text(`{"chats":[`);
  groupByChat(rows).forEach((chat, n) => {
    if (n > 0) out.text(",");
    writeChat(out, urls, fragments, chat, viewerId);
  });
  return out.text("]}").finish();
}

/** One chat, from its rows (one per member); undefined when there are none. */
export function chatJson(
  urls: PublicUrls,
  fragments: ReadFragments,
  rows: readonly ChatPageRow[],
  viewerId: number,
): JsonBytes | undefined {
  const [chat] = groupByChat(rows);
  if (!chat) return undefined;
  const out = new JsonWriter();
  writeChat(out, urls, fragments, chat, viewerId);
  return out.finish();
}
