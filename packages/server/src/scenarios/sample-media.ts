// The files a scenario sends as `sample`: a PNG made here (a small colour gradient, a real image
// any decoder reads, so that the server's resizing runs as for a photo) and the Opus-in-MP4 voice
// message that ships in packages/server/assets.
import { readFile } from "node:fs/promises";
import { crc32, deflateSync } from "node:zlib";

const WIDTH = 160;
const HEIGHT = 120;
const VOICE_SAMPLE = new URL("../../assets/voice-sample.mp4", import.meta.url);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A WIDTH×HEIGHT RGB PNG: red across, green down, blue constant. */
export function samplePng(): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(WIDTH, 0);
  header.writeUInt32BE(HEIGHT, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits a channel, RGB, deflate, no filter method, no interlace
  const rowBytes = 1 + WIDTH * 3;
  const pixels = Buffer.alloc(rowBytes * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) {
    pixels[y * rowBytes] = 0; // filter: none
    for (let x = 0; x < WIDTH; x++) {
      const at = y * rowBytes + 1 + x * 3;
      pixels[at] = Math.round((x / (WIDTH - 1)) * 255);
      pixels[at + 1] = Math.round((y / (HEIGHT - 1)) * 255);
      pixels[at + 2] = 160;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(pixels)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The voice sample's bytes (Opus in MP4, about 4 KB). */
export async function sampleVoice(): Promise<Uint8Array> {
  return readFile(VOICE_SAMPLE);
}
