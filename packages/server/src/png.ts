// A minimal PNG encoder: 8-bit RGB, no interlace, one IDAT chunk. Enough for the images Beseda
// makes itself (placeholder avatars and item images, the scenarios' `sample` photo) without an
// image library. Imports nothing of the server: the HTTP routes and the scenario engine share it.
import { crc32, deflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk: its length, type, data and the CRC of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/**
 * A width×height RGB PNG; `row(y)` gives row y (top first): width×3 bytes of red, green, blue.
 * It may answer the same bytes for every row (a solid colour).
 */
export function rgbPng(width: number, height: number, row: (y: number) => Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits a channel, RGB, deflate, adaptive filtering, no interlace
  const rowBytes = 1 + width * 3;
  const scanlines = Buffer.alloc(rowBytes * height); // each row: filter type 0 (none), then pixels
  for (let y = 0; y < height; y++) scanlines.set(row(y).subarray(0, width * 3), y * rowBytes + 1);
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(scanlines)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
