// What a message shows inside its bubble, drawn by type as a person expects it in Avito's
// messenger. Types the API carries without content (video, file, appCall) get a placeholder
// that says so; a type this console does not know shows its raw content rather than nothing.
// What people wrote, and what Avito's messenger would say, is marked Russian (`lang="ru"`), so
// that a screen reader reads it with a Russian voice on this English page.
import type { ComponentChildren } from "preact";
import type { MessageContent as Content, SandboxMessage } from "../types.ts";
import { Icon } from "./message-icon.tsx";
import { MessageImage, pickSize, sizesOf } from "./message-image.tsx";
import { DELETED_TEXT } from "./message-preview.ts";
import { MessageVoice } from "./message-voice.tsx";

const EMPTY_TYPES: Record<string, string> = {
  video: "Видео",
  file: "Файл",
  appCall: "Звонок в приложении",
};

/** A map link for coordinates: Yandex Maps, which Avito's own apps open. */
export function mapUrl(lat: number, lon: number): string {
  return `https://yandex.ru/maps/?pt=${lon},${lat}&z=16&l=map`;
}

/**
 * A link out of the console, to http(s) only: a message's URLs are whatever its author (or an
 * imported fixture) wrote, and another scheme is shown as text (the CSP would block javascript:
 * anyway; this does not rely on it).
 */
function External({ href, children }: { href: string; children: ComponentChildren }) {
  if (!/^https?:\/\//i.test(href)) return <span>{children}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

function LinkContent({ link }: { link: NonNullable<Content["link"]> }) {
  const preview = link.preview;
  const image = pickSize(sizesOf(preview?.images), 280);
  return (
    <div class="message-link" lang="ru">
      {link.url ? <External href={link.url}>{link.text || link.url}</External> : link.text}
      {preview && (
        <div class="link-preview">
          {image && <img src={image.url} width={image.width} height={image.height} alt="" />}
          {preview.domain && <span class="muted small">{preview.domain}</span>}
          {preview.title && <strong>{preview.title}</strong>}
          {preview.description && <span class="small">{preview.description}</span>}
        </div>
      )}
    </div>
  );
}

function ItemContent({ item }: { item: NonNullable<Content["item"]> }) {
  return (
    <div class="item-card" lang="ru">
      {item.image_url && <img src={item.image_url} alt="" width={80} height={60} />}
      <span class="item-card-text">
        {item.item_url ? (
          <External href={item.item_url}>{item.title || "Объявление"}</External>
        ) : (
          <strong>{item.title || "Объявление"}</strong>
        )}
        {item.price_string && <span class="item-price">{item.price_string}</span>}
      </span>
    </div>
  );
}

function LocationContent({ location }: { location: NonNullable<Content["location"]> }) {
  const { lat, lon } = location;
  const known = typeof lat === "number" && typeof lon === "number";
  return (
    <div class="message-location">
      <strong lang="ru">
        <Icon name="pin" /> {location.title || "Геолокация"}
      </strong>
      {location.text && <span lang="ru">{location.text}</span>}
      {known && (
        <span class="muted small">
          {lat.toFixed(5)}, {lon.toFixed(5)}
          {location.kind && ` · ${location.kind}`}
        </span>
      )}
      {known && <External href={mapUrl(lat, lon)}>Open in Yandex Maps</External>}
    </div>
  );
}

export function MessageContent({
  message,
  nameOf,
}: {
  message: Pick<SandboxMessage, "type" | "content">;
  nameOf: (userId: number) => string;
}) {
  const content: Content = message.content ?? {};
  switch (message.type) {
    case "text":
      return (
        <p class="message-text" lang="ru">
          {content.text}
        </p>
      );
    case "image":
      return <MessageImage sizes={content.image?.sizes} />;
    case "voice":
      return <MessageVoice voiceId={content.voice?.voice_id} />;
    case "link":
      return content.link ? <LinkContent link={content.link} /> : null;
    case "item":
      return content.item ? <ItemContent item={content.item} /> : null;
    case "location":
      return content.location ? <LocationContent location={content.location} /> : null;
    case "call": {
      const target = content.call?.target_user_id;
      return (
        <p class="message-call">
          <Icon name="phone" />{" "}
          <span lang="ru">
            {content.call?.status === "missed" || !content.call?.status
              ? "Пропущенный звонок"
              : `Звонок: ${content.call.status}`}
          </span>
          {target !== undefined && (
            <span class="muted small">
              {" "}
              · to <span lang="ru">{nameOf(target)}</span>
            </span>
          )}
        </p>
      );
    }
    case "system":
      return (
        <div class="message-system">
          <p class="message-text" lang="ru">
            {content.text}
          </p>
          {content.flow_id && (
            <span class="muted small">
              flow_id <code>{content.flow_id}</code>
            </span>
          )}
        </div>
      );
    case "deleted":
      return (
        <p class="message-deleted" lang="ru">
          {DELETED_TEXT}
        </p>
      );
    default: {
      const empty = EMPTY_TYPES[message.type];
      if (empty) {
        return (
          <p class="message-empty">
            <span lang="ru">{empty}</span>
            <span class="muted small"> · the API carries no content for {message.type}</span>
          </p>
        );
      }
      return (
        <div>
          <span class="muted small">Type {message.type}</span>
          <pre>{JSON.stringify(content, null, 2)}</pre>
        </div>
      );
    }
  }
}
