// An account's items (its listings): what u2i chats are about and getItemsInfo answers.
import type { AccountOverview } from "../types.ts";

type Item = AccountOverview["items"][number];

export function AccountItems({ items }: { items: Item[] }) {
  if (items.length === 0) return <p class="muted no-margin">No items yet.</p>;
  return (
    <ul class="plain-list item-list">
      {items.map((item) => (
        <li key={item.item_id} class="item-row">
          <div class="item-main">
            <a href={item.url} target="_blank" rel="noopener noreferrer" class="item-title">
              {item.title}
            </a>
            <span class="muted small-text">
              item_id <code>{item.item_id}</code>
              {item.category?.name ? ` · ${item.category.name}` : ""}
              {item.address ? ` · ${item.address}` : ""}
            </span>
          </div>
          <div class="item-side">
            <span class="item-price">{item.price_string ?? "no price"}</span>
            {item.status_id === 10 ? (
              <span class="pill ok">active</span>
            ) : (
              <span class="pill">deleted</span>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
