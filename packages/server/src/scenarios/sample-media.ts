// The files a scenario sends as `sample`: a PNG made here (a small colour gradient, a real image
// any decoder reads, so that the server's resizing runs as for a photo) and the Opus-in-MP4 voice
// message that ships in packages/server/assets.
import { readFile } from "node:fs/promises";
import { rgbPng } from "../png.ts";

const WIDTH = 160;
const HEIGHT = 120;
const VOICE_SAMPLE = new URL("../../assets/voice-sample.mp4", import.meta.url);

/** A WIDTH×HEIGHT RGB PNG: red across, green down, blue constant. */
export function samplePng(): Uint8Array {
  return rgbPng(WIDTH, HEIGHT, (y) => {
    const row = new Uint8Array(WIDTH * 3);
    for (let x = 0; x < WIDTH; x++) {
      row[x * 3] = Math.round((x / (WIDTH - 1)) * 255);
      row[x * 3 + 1] = Math.round((y / (HEIGHT - 1)) * 255);
      row[x * 3 + 2] = 160;
    }
    return row;
  });
}

/** The voice sample's bytes (Opus in MP4, about 4 KB). */
export async function sampleVoice(): Promise<Uint8Array> {
  return readFile(VOICE_SAMPLE);
}
