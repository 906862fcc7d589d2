// Media helpers for tests: multipart uploads through fetch, the files of the data dir's media
// folder, and fixtures built byte by byte (a 24-bit BMP, a PNG that is only a header) so that no
// fixture depends on the decoders under test.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { ApiResponse } from "./api.ts";

export interface UploadPart {
  field: string;
  bytes: Uint8Array;
  filename?: string;
  type?: string;
}

/** POSTs a multipart/form-data body made of `parts` (files) and `fields` (plain values). */
export async function postMultipart<T = unknown>(
  url: string,
  token: string | undefined,
  parts: readonly UploadPart[],
  fields: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const part of parts) {
    const blob = new Blob([new Uint8Array(part.bytes)], {
      type: part.type ?? "application/octet-stream",
    });
    form.append(part.field, blob, part.filename ?? "upload.bin");
  }
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: "POST", headers, body: form });
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.includes("json") && text !== "";
  return {
    status: response.status,
    headers: response.headers,
    body: (isJson ? JSON.parse(text) : text) as T,
    text,
  };
}

/** Every file under <dataDir>/media, relative paths, sorted; empty when the folder is missing. */
export function mediaFiles(dataDir: string): string[] {
  const root = join(dataDir, "media");
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

export type Rgb = readonly [number, number, number];

/**
 * An uncompressed (BI_RGB) BMP: BITMAPFILEHEADER (14 bytes), BITMAPINFOHEADER (40 bytes), then
 * rows bottom-up, each pixel as B, G, R (and, at 32 bits, an unused 0 byte), rows padded to a
 * multiple of 4 bytes.
 */
export function encodeBmp(
  width: number,
  height: number,
  pixel: (x: number, y: number) => Rgb,
  bitsPerPixel: 24 | 32 = 24,
): Buffer {
  const bytesPerPixel = bitsPerPixel / 8;
  const rowBytes = Math.ceil((width * bytesPerPixel) / 4) * 4;
  const dataOffset = 14 + 40;
  const file = Buffer.alloc(dataOffset + rowBytes * height);
  file.write("BM", 0, "latin1");
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(0, 6);
  file.writeUInt32LE(dataOffset, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22); // positive: bottom-up
  file.writeUInt16LE(1, 26); // planes
  file.writeUInt16LE(bitsPerPixel, 28);
  file.writeUInt32LE(0, 30); // BI_RGB
  file.writeUInt32LE(rowBytes * height, 34);
  file.writeInt32LE(2835, 38); // 72 dpi
  file.writeInt32LE(2835, 42);
  file.writeUInt32LE(0, 46);
  file.writeUInt32LE(0, 50);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const at = row + x * bytesPerPixel;
      file[at] = b;
      file[at + 1] = g;
      file[at + 2] = r;
    }
  }
  return file;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG whose IHDR declares width x height (8-bit RGB), with a few bytes of image data. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}
