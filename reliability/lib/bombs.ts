// The image bombs of issue 9, built here byte by byte (and one read from the server's fixtures),
// and a legitimate large photo to set them against.
import { readFileSync } from "node:fs";
import sharp from "sharp";

const HEIC_BOMB = new URL(
  "../../packages/server/test/fixtures/bomb-8000x9000.heic",
  import.meta.url,
);

/**
 * A 1 KB BMP declaring 8660×8660 at 8 bits, RLE8-compressed (so it needs no pixel bytes), whose
 * data is only "end of bitmap": 75 megapixels from 1,080 bytes. The Python, in bytes:
 * BITMAPFILEHEADER, BITMAPINFOHEADER (compression 1 = BI_RLE8, image size 2), a palette of 256
 * black entries, then 00 01.
 */
export function rleBmpBomb(): Buffer {
  const palette = Buffer.alloc(1024);
  const dataOffset = 14 + 40 + palette.length;
  const header = Buffer.alloc(14 + 40);
  header.write("BM", 0, "latin1");
  header.writeUInt32LE(dataOffset + 2, 2); // file size
  header.writeUInt32LE(dataOffset, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(8660, 18);
  header.writeInt32LE(8660, 22);
  header.writeUInt16LE(1, 26); // planes
  header.writeUInt16LE(8, 28); // bits per pixel
  header.writeUInt32LE(1, 30); // BI_RLE8
  header.writeUInt32LE(2, 34); // size of the compressed data
  return Buffer.concat([header, palette, Buffer.from([0x00, 0x01])]);
}

/** A 17 KB HEIC declaring 8000×9000 (packages/server/test/fixtures/README.md says how it was made). */
export function heicBomb(): Buffer {
  return readFileSync(HEIC_BOMB);
}

/** 24,000,000 bytes (under the 24 MiB cap) that start as a JPEG (FF D8 FF) and are zeros after. */
export function zeroJpeg(): Buffer {
  const bytes = Buffer.alloc(24_000_000);
  bytes.set([0xff, 0xd8, 0xff]);
  return bytes;
}

/** A photo-like JPEG of noise over a gradient, as bench/scenarios/media-upload.ts makes one. */
export async function noisyPhoto(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let state = 12345;
  for (let i = 0; i < raw.length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const x = (i / 3) % width;
    raw[i] = ((x * 255) / width + (state >> 24)) & 0xff;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 92, chromaSubsampling: "4:4:4" })
    .toBuffer();
}
