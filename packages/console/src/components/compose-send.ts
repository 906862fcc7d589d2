// What compose sends, through the sandbox API as a participant: POST /sandbox/v1/chats/{id}/messages
// (after uploading an image or a voice file, whose id the message then carries), and the delete.
import { call } from "../api.ts";

export type OutgoingMessage =
  | { type: "text"; content: { text: string } }
  | { type: "image"; content: { image_id: string } }
  | { type: "voice"; content: { voice: { voice_id: string } } }
  | {
      type: "location";
      content: { location: { lat: number; lon: number; title?: string; text?: string } };
    };

export async function postMessage(
  chatId: string,
  authorId: number,
  message: OutgoingMessage,
  quoteId: string | null,
): Promise<void> {
  await call("post", "/sandbox/v1/chats/{chat_id}/messages", {
    path: { chat_id: chatId },
    body: { author_id: authorId, ...message, ...(quoteId ? { quote_id: quoteId } : {}) },
  });
}

/** Uploads an image as the account (the `uploadfile[]` field, as uploadImages takes it). */
export async function uploadImage(userId: number, file: File): Promise<string> {
  const form = new FormData();
  form.append("uploadfile[]", file, file.name);
  const sizes = await call("post", "/sandbox/v1/accounts/{user_id}/images", {
    path: { user_id: userId },
    body: form,
  });
  const [imageId] = Object.keys(sizes);
  if (!imageId) throw new Error("The upload answered without an image id.");
  return imageId;
}

/** Stores a voice file (Opus in MP4); its voice_id then goes into a `voice` message. */
export async function uploadVoice(file: File): Promise<string> {
  const form = new FormData();
  form.append("file", file, file.name);
  const { voice_id } = await call("post", "/sandbox/v1/voices", { body: form });
  return voice_id;
}

export async function deleteMessage(
  chatId: string,
  messageId: string,
  userId: number,
): Promise<void> {
  await call("post", "/sandbox/v1/chats/{chat_id}/messages/{message_id}/delete", {
    path: { chat_id: chatId, message_id: messageId },
    body: { user_id: userId },
  });
}

export async function markRead(chatId: string, userId: number): Promise<void> {
  await call("post", "/sandbox/v1/chats/{chat_id}/read", {
    path: { chat_id: chatId },
    body: { user_id: userId },
  });
}
