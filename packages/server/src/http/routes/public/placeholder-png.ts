// Solid-colour PNGs for placeholder avatars and item images, encoded here (a few dozen bytes
// compressed) so that no image file or image library is needed for them.
import { rgbPng } from "../../../png.ts";

/** A width×height PNG filled with one RGB colour. */
export function solidPng(
  width: number,
  height: number,
  rgb: readonly [number, number, number],
): Buffer {
  const row = new Uint8Array(width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, x * 3);
  return rgbPng(width, height, () => row);
}

/** A pleasant colour picked by number, so each avatar variant keeps its colour. */
export function paletteColour(index: number): [number, number, number] {
  const hue = (index * 137.508) % 360;
  const c = 0.45;
  const x = c * (1 - Math.abs(((hue / 60) % 2) - 1));
  const [r, g, b] =
    hue < 60
      ? [c, x, 0]
      : hue < 120
        ? [x, c, 0]
        : hue < 180
          ? [0, c, x]
          : hue < 240
            ? [0, x, c]
            : hue < 300
              ? [x, 0, c]
              : [c, 0, x];
  const m = 0.4;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}
