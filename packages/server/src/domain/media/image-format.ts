// Which image an upload is, told from its bytes alone (never the file name or the declared type),
// and what its header declares: the dimensions, and whether the decoder must hold the whole frame
// at once (a progressive JPEG, an interlaced PNG) rather than a few rows. Limits are checked on
// this before anything is decoded. The readers jump from segment to segment or read fixed
// offsets: none scans the pixel data.
import { imageSize } from "image-size";

export const ACCEPTED_IMAGE_FORMATS = ["jpeg", "png", "gif", "bmp", "heic"] as const;
export type ImageFormat = (typeof ACCEPTED_IMAGE_FORMATS)[number];

export interface DeclaredImage {
  format: ImageFormat;
  width: number;
  height: number;
  /** A progressive JPEG or an interlaced PNG: decoded whole, not row by row. */
  wholeFrame: boolean;
}

type Header = Omit<DeclaredImage, "format">;

/**
 * Why no size could be read: the bytes are not a valid header ("unreadable"), or the header goes on
 * past the bytes given ("truncated": more of the file may hold it).
 */
export type HeaderProblem = "unreadable" | "truncated";

/** HEIF ftyp brands of HEIC (HEVC-coded) stills and sequences. */
const HEIC_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis"]);

/** BITMAPINFOHEADER and its later versions: the header sizes bmp-ts decodes. */
const BMP_HEADER_SIZES = new Set([40, 52, 56, 108, 124]);

function buffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return buffer(bytes).toString("latin1", start, Math.min(end, bytes.length));
}

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((byte, i) => bytes[i] === byte);
}

/** The HEIF ftyp box's major and compatible brands, or null when there is no ftyp box. */
function heifBrands(bytes: Uint8Array): string[] | null {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== "ftyp") return null;
  const end = Math.min(buffer(bytes).readUInt32BE(0), bytes.length);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, at + 4));
  return brands;
}

export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  const head = ascii(bytes, 0, 6);
  if (head === "GIF87a" || head === "GIF89a") return "gif";
  if (head.startsWith("BM") && bytes.length > 26) return "bmp";
  if (heifBrands(bytes)?.some((brand) => HEIC_BRANDS.has(brand))) return "heic";
  return null;
}

/** SOF markers: C0–CF but DHT (C4), JPG (C8) and DAC (CC). Progressive ones: C2, C6, CA, CE. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Walks the JPEG's segments, by their lengths, to the first start-of-frame. */
function jpegFrame(bytes: Uint8Array): Header | HeaderProblem {
  const data = buffer(bytes);
  let at = 2;
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) return "unreadable";
    const marker = data[at + 1] as number;
    // Fill bytes before a marker, and the markers that carry no length (TEM, RST0–7).
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    // The image data or its end, before any frame header: there is no size to read.
    if (marker === 0xda || marker === 0xd9) return "unreadable";
    const length = data.readUInt16BE(at + 2);
    if (length < 2) return "unreadable";
    if (isStartOfFrame(marker)) {
      if (at + 9 > data.length) return "truncated";
      return {
        height: data.readUInt16BE(at + 5),
        width: data.readUInt16BE(at + 7),
        wholeFrame: (marker & 0x03) === 0x02,
      };
    }
    at += 2 + length;
  }
  return "truncated";
}

function pngHeader(bytes: Uint8Array): Header | HeaderProblem {
  if (bytes.length < 29) return "truncated";
  if (ascii(bytes, 12, 16) !== "IHDR") return "unreadable";
  const data = buffer(bytes);
  return {
    width: data.readUInt32BE(16),
    height: data.readUInt32BE(20),
    wholeFrame: data[28] === 1,
  };
}

function gifHeader(bytes: Uint8Array): Header | HeaderProblem {
  if (bytes.length < 10) return "truncated";
  const data = buffer(bytes);
  return { width: data.readUInt16LE(6), height: data.readUInt16LE(8), wholeFrame: true };
}

/**
 * The fields exactly as bmp-ts reads them (width unsigned, height signed: negative means top-down),
 * so that the limits are checked on the very numbers the decoder allocates for.
 */
export function bmpHeader(bytes: Uint8Array): Header | HeaderProblem {
  if (bytes.length < 30) return "truncated";
  const data = buffer(bytes);
  if (!BMP_HEADER_SIZES.has(data.readUInt32LE(14))) return "unreadable";
  return {
    width: data.readUInt32LE(18),
    height: Math.abs(data.readInt32LE(22)),
    wholeFrame: true,
  };
}

function heicHeader(bytes: Uint8Array): Header | HeaderProblem {
  try {
    const { width, height } = imageSize(bytes);
    return { width, height, wholeFrame: true };
  } catch {
    // image-size does not say which; the whole file tells (see declaredImage's callers).
    return "truncated";
  }
}

const HEADER_READERS: Record<ImageFormat, (bytes: Uint8Array) => Header | HeaderProblem> = {
  jpeg: jpegFrame,
  png: pngHeader,
  gif: gifHeader,
  bmp: bmpHeader,
  heic: heicHeader,
};

/** What the header of an image of `format` declares, read from the file's first `bytes`. */
export function declaredImage(
  bytes: Uint8Array,
  format: ImageFormat,
): DeclaredImage | HeaderProblem {
  const header = HEADER_READERS[format](bytes);
  if (typeof header === "string") return header;
  if (header.width <= 0 || header.height <= 0) return "unreadable";
  return { format, ...header };
}
