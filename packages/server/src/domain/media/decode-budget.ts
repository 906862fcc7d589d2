// How much memory decoding an image takes, told from what its header declares, and the limits a
// decode must fit before it starts: production's 75 megapixels, the memory the image workers may
// use (BESEDA_IMAGE_MEMORY_MB), and an inflation ratio that refuses tiny files declaring huge
// images (decompression bombs). The same numbers bound the decoders themselves (image-pipeline.ts).
import type { DeclaredImage, ImageFormat } from "./image-format.ts";

/** Production's limit (WIRE-NOTES: at most 75 megapixels). */
export const MAX_IMAGE_PIXELS = 75_000_000;

/**
 * Decoded RGBA bytes per byte of file, at most, for the formats whose decoders hold the whole
 * frame and whose compression allows any ratio: BMP (RLE with skips), GIF (LZW) and HEIC. Real
 * photos stay far below (a 12-megapixel HEIC of 3 MB: 16:1; run-length line art: at most 510:1);
 * a 1 KB BMP declaring 8660x8660 is 290,000:1. Baseline JPEG and non-interlaced PNG are decoded
 * row by row, so their ratio costs no memory, and lossless line art legitimately exceeds it.
 */
export const MAX_INFLATION = 1024;

const MB = 1024 * 1024;

interface PeakCost {
  /** Bytes the decoder and the resize hold per pixel of the source at their peak. */
  perPixel: number;
  /** Bytes that do not grow with the image: the codec's state, sharp's pipeline. */
  fixed: number;
}

/**
 * Peaks measured above an idle worker, rounded up (12 and 48 megapixels of each kind; the
 * media-bombs scenario of the reliability suite reports them for its uploads). Row-by-row decodes grow little with size: a baseline JPEG is shrunk while it
 * loads; a progressive one keeps its coefficients (2 bytes a sample); GIF and BMP become RGBA in
 * memory; HEIC is decoded by libheif in WebAssembly, which holds the YUV planes and an RGBA copy
 * besides the one handed back.
 */
function peakCost(image: DeclaredImage): PeakCost {
  switch (image.format) {
    case "jpeg":
      return image.wholeFrame ? { perPixel: 4, fixed: 48 * MB } : { perPixel: 0.5, fixed: 48 * MB };
    case "png":
      return image.wholeFrame ? { perPixel: 4, fixed: 48 * MB } : { perPixel: 1, fixed: 48 * MB };
    case "gif":
      return { perPixel: 5, fixed: 48 * MB };
    case "bmp":
      return { perPixel: 5, fixed: 32 * MB };
    case "heic":
      return { perPixel: 12, fixed: 64 * MB };
  }
}

const INFLATING_FORMATS: ReadonlySet<ImageFormat> = new Set(["bmp", "gif", "heic"]);

/**
 * The memory decoding `image`, `fileBytes` long, takes at its peak: the pixels, the codec, and the
 * file itself twice (the upload's blocks and the buffer they are joined into).
 */
export function decodePeakBytes(image: DeclaredImage, fileBytes: number): number {
  const cost = peakCost(image);
  return Math.ceil(image.width * image.height * cost.perPixel + cost.fixed + 2 * fileBytes);
}

/** The most pixels an image of this kind, `fileBytes` long, may have to decode within `memoryBytes`. */
export function maxPixelsWithin(
  image: DeclaredImage,
  fileBytes: number,
  memoryBytes: number,
): number {
  const cost = peakCost(image);
  const affordable = Math.floor((memoryBytes - cost.fixed - 2 * fileBytes) / cost.perPixel);
  return Math.max(1, Math.min(MAX_IMAGE_PIXELS, affordable));
}

function megapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(1)} megapixels`;
}

function size(bytes: number): string {
  return bytes < MB
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${Math.round(bytes / MB)} MB`;
}

/** Why `image`, `fileBytes` long, may not be decoded within `memoryBytes`; null if it may. */
export function decodeRefusal(
  image: DeclaredImage,
  fileBytes: number,
  memoryBytes: number,
): string | null {
  const { width, height, format } = image;
  const pixels = width * height;
  const shown = `${width}x${height} (${megapixels(pixels)})`;
  if (pixels > MAX_IMAGE_PIXELS) {
    return `is ${shown}; at most ${MAX_IMAGE_PIXELS / 1e6} megapixels are accepted`;
  }
  if (INFLATING_FORMATS.has(format) && pixels * 4 > fileBytes * MAX_INFLATION) {
    return `declares ${shown} in ${size(fileBytes)}: more than ${MAX_INFLATION} times its size once decoded, which is refused as a decompression bomb`;
  }
  const peak = decodePeakBytes(image, fileBytes);
  if (peak > memoryBytes) {
    return `is a ${shown} ${format.toUpperCase()}, which takes about ${size(peak)} to decode; the server allows ${size(memoryBytes)}`;
  }
  return null;
}
