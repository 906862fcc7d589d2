// A u2i chat's item as the chat's header shows it: picture, title, price, a link to its page.
import type { ChatOverview } from "../types.ts";

export type ChatItem = NonNullable<ChatOverview["item"]>;

export function ChatItemCard({ item }: { item: ChatItem }) {
  return (
    <a class="chat-item-card" href={item.url} target="_blank" rel="noopener noreferrer">
      {item.image_url ? (
        <img class="item-picture" src={item.image_url} alt="" width={56} height={42} />
      ) : (
        <span class="chat-item-blank" aria-hidden="true" />
      )}
      <span class="chat-item-text">
        <span class="chat-item-title" lang="ru">
          {item.title}
        </span>
        {item.price_string && <span class="item-price">{item.price_string}</span>}
      </span>
    </a>
  );
}
