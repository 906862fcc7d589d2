// An image message: the size that fits the bubble (its aspect known from the size's name, so
// nothing jumps while it loads), and a click opens the largest size in a dialog.
import { useState } from "preact/hooks";
import { BareDialog } from "./dialog.tsx";

export interface ImageSize {
  width: number;
  height: number;
  url: string;
}

/** "640x480" → URL maps (image sizes, link preview images) as a list, smallest first. */
export function sizesOf(map: object | null | undefined): ImageSize[] {
  const sizes: ImageSize[] = [];
  for (const [name, url] of Object.entries((map ?? {}) as Record<string, unknown>)) {
    const found = /^(\d+)x(\d+)$/.exec(name);
    if (found && typeof url === "string") {
      sizes.push({ width: Number(found[1]), height: Number(found[2]), url });
    }
  }
  return sizes.sort((a, b) => a.width - b.width);
}

/** The smallest size at least `cssWidth` wide on this screen, else the largest. */
export function pickSize(sizes: ImageSize[], cssWidth: number): ImageSize | undefined {
  const want = cssWidth * (globalThis.devicePixelRatio || 1);
  return sizes.find((size) => size.width >= want) ?? sizes.at(-1);
}

/** How wide an image is drawn in a bubble, in CSS pixels (chat.css's .message-image). */
const BUBBLE_WIDTH = 280;

export function MessageImage({ sizes: map }: { sizes: object | null | undefined }) {
  const [open, setOpen] = useState(false);
  const sizes = sizesOf(map);
  const shown = pickSize(sizes, BUBBLE_WIDTH);
  const large = sizes.at(-1);
  if (!shown || !large) return <p class="muted">Фото (no sizes in the message)</p>;
  return (
    <>
      <button
        type="button"
        class="message-image"
        onClick={() => setOpen(true)}
        aria-label="Фото: open large"
      >
        <img src={shown.url} width={shown.width} height={shown.height} alt="Фото" />
      </button>
      {open && (
        <BareDialog open label="Фото" class="lightbox" onClose={() => setOpen(false)}>
          <img src={large.url} width={large.width} height={large.height} alt="Фото, large" />
          <div class="lightbox-bar">
            <a href={large.url} target="_blank" rel="noopener noreferrer">
              {large.width}×{large.height}, open in a new tab
            </a>
            <button type="button" autofocus onClick={() => setOpen(false)}>
              Close
            </button>
          </div>
        </BareDialog>
      )}
    </>
  );
}
