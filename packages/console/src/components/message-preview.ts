// One line that stands for a message where there is no room for the message itself: the inbox's
// last-message preview and the quote above a reply. Worded as Avito's messenger words them, in
// Russian, because that is what the people on both sides of the chat read.
import type { MessageContent, SandboxMessage } from "../types.ts";

export const DELETED_TEXT = "Сообщение удалено";

/** What each type without words of its own is called. */
const KIND_NAMES: Record<string, string> = {
  image: "Фото",
  voice: "Голосовое сообщение",
  location: "Геолокация",
  call: "Пропущенный звонок",
  video: "Видео",
  file: "Файл",
  appCall: "Звонок в приложении",
  deleted: DELETED_TEXT,
};

export function previewOf(message: Pick<SandboxMessage, "type" | "content">): string {
  const content: MessageContent = message.content ?? {};
  switch (message.type) {
    case "text":
    case "system":
      return content.text ?? "";
    case "link":
      return content.link?.text || content.link?.preview?.title || content.link?.url || "Ссылка";
    case "item":
      return content.item?.title ? `Объявление: ${content.item.title}` : "Объявление";
    case "location": {
      const place = content.location?.title || content.location?.text;
      return place ? `Геолокация: ${place}` : "Геолокация";
    }
    default:
      return KIND_NAMES[message.type] ?? message.type;
  }
}
