// The open chat as the inbox lists it (both people with names and unread counts, the item), for
// the chat's header, compose's "Write as" and the "Mark read" button: GET /sandbox/v1/chats/{id},
// asked again when a live event says the chat changed. null: there is no such chat (a 404: a
// wrong link, or a reset or an import took it away).
import { ApiError, call } from "../api.ts";
import { useLiveEvents } from "../live.ts";
import type { ChatOverview } from "../types.ts";
import { type Resource, useResource } from "../use-resource.ts";

async function loadChat(chatId: string): Promise<ChatOverview | null> {
  try {
    return await call("get", "/sandbox/v1/chats/{chat_id}", { path: { chat_id: chatId } });
  } catch (reason) {
    if (reason instanceof ApiError && reason.status === 404) return null;
    throw reason;
  }
}

export function useChatOverview(chatId: string): Resource<ChatOverview | null> {
  const chat = useResource(() => loadChat(chatId), [chatId]);
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
