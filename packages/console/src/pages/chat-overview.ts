// The open chat as the inbox lists it (both people with names and unread counts, the item), for
// the chat's header, compose's "Write as" and the "Mark read" button. The sandbox API has no
// "one chat" read, so this looks the chat up in the account's list of its type: first among the
// recently active ones, then in the largest page the API gives.
import { call } from "../api.ts";
import { useLiveEvents } from "../live.ts";
import type { ChatOverview } from "../types.ts";
import { type Resource, useResource } from "../use-resource.ts";

const TYPES = ["u2i", "u2u", "a2u"] as const;
const LOOKUPS = [50, 1000];

async function findChat(userId: number, chatId: string): Promise<ChatOverview | null> {
  // Chat ids start with their type ("u2i-…"), which narrows the search.
  const type = TYPES.find((t) => chatId.startsWith(`${t}-`));
  for (const limit of LOOKUPS) {
    const { chats } = await call("get", "/sandbox/v1/chats", {
      query: { user_id: userId, type, limit },
    });
    const found = chats.find((chat) => chat.chat_id === chatId);
    if (found) return found;
    if (chats.length < limit) break;
  }
  return null;
}

export function useChatOverview(userId: number, chatId: string): Resource<ChatOverview | null> {
  const chat = useResource(() => findChat(userId, chatId), [userId, chatId]);
  useLiveEvents((event) => {
    if (
      event.type === "world" ||
      event.type === "resync" ||
      (event.type === "message" && event.message.chat_id === chatId) ||
      (event.type === "chat_read" && event.chat_id === chatId)
    ) {
      chat.reload();
    }
  });
  return chat;
}
