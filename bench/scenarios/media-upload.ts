// Issue "Media": uploading a 20 MB JPEG of 12 megapixels to all four sizes. Reports the upload's
// time and the server's peak RSS, next to a baseline measured in the same run: sharp alone, in
// this process, making the same four sizes from the same bytes (the floor for any server that
// resizes with sharp). Runs alternate between Beseda and the baseline.
import type { Sharp } from "sharp";
import sharp from "sharp";
import type { Scenario, ScenarioResult } from "../lib/report.ts";
import { benchAccount, peakRssMb, rssMb, startBenchServer } from "../lib/server-process.ts";
import { median, round } from "../lib/stats.ts";

const BOXES = [
  [1280, 960],
  [640, 480],
  [140, 105],
  [32, 32],
] as const;

/** A noisy photo-like JPEG of width×height, its quality chosen so that it weighs about `targetMb`. */
async function makeJpeg(width: number, height: number, targetMb: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const x = (i / 3) % width;
    raw[i] = ((x * 255) / width + (seed >> 24)) & 0xff;
  }
  let best: Buffer | undefined;
  for (const quality of [90, 92, 94, 95, 96, 97]) {
    const jpeg = await sharp(raw, { raw: { width, height, channels: 3 } })
      .jpeg({ quality, chromaSubsampling: "4:4:4" })
      .toBuffer();
    if (!best || Math.abs(jpeg.length / 1e6 - targetMb) < Math.abs(best.length / 1e6 - targetMb))
      best = jpeg;
  }
  return best as Buffer;
}

/** The same JPEG with a comment segment after SOI: other bytes (no reuse of earlier sizes), same picture. */
function variant(jpeg: Buffer, n: number): Buffer {
  const text = Buffer.from(`beseda bench ${n}`);
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segment, text, jpeg.subarray(2)]);
}

async function sharpAlone(jpeg: Buffer): Promise<number> {
  const started = performance.now();
  const largest = await sharp(jpeg)
    .rotate()
    .resize({ width: 1280, height: 960, fit: "inside", withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = {
    width: largest.info.width,
    height: largest.info.height,
    channels: largest.info.channels,
  };
  await Promise.all(
    BOXES.map(([width, height]) =>
      (sharp(largest.data, { raw }) as Sharp)
        .resize({ width, height, fit: "inside" })
        .jpeg({ quality: 82 })
        .toBuffer(),
    ),
  );
  return performance.now() - started;
}

export const mediaUpload: Scenario = {
  name: "media-upload",
  description: "Upload of a 20 MB, 12 MP JPEG to all four sizes (uploadImages)",
  async run({ smoke }): Promise<ScenarioResult> {
    const [width, height, targetMb, runs] = smoke ? [1200, 900, 1, 1] : [4000, 3000, 20, 5];
    const jpeg = await makeJpeg(width, height, targetMb);
    const server = await startBenchServer();
    try {
      const account = await benchAccount(server, "Bench");
      const idleRss = rssMb(server.pid);
      const beseda: number[] = [];
      const baseline: number[] = [];
      for (let run = 0; run < runs + 1; run++) {
        const body = new FormData();
        body.append(
          "uploadfile[]",
          new Blob([variant(jpeg, run)], { type: "image/jpeg" }),
          "photo.jpg",
        );
        const started = performance.now();
        const response = await fetch(
          `${server.url}/messenger/v1/accounts/${account.user_id}/uploadImages`,
          {
            method: "POST",
            headers: { authorization: `Bearer ${account.token}` },
            body,
          },
        );
        const answer = await response.text();
        if (response.status !== 200)
          throw new Error(`upload answered ${response.status}: ${answer}`);
        const elapsed = performance.now() - started;
        const baselineElapsed = await sharpAlone(variant(jpeg, run));
        // The first round warms both up (code loading, thread pools) and is not counted.
        if (run > 0) {
          beseda.push(elapsed);
          baseline.push(baselineElapsed);
        }
      }
      const uploadMs = median(beseda);
      const sharpMs = median(baseline);
      const peak = peakRssMb(server.pid);
      return {
        scenario: this.name,
        description: this.description,
        figures: [
          { name: "input", value: round(jpeg.length / 1e6, 1), unit: `MB, ${width}x${height}` },
          {
            name: "upload, median",
            value: Math.round(uploadMs),
            unit: "ms",
            goal: { text: "< 1500 ms", met: uploadMs < 1500 },
          },
          { name: "upload, slowest", value: Math.round(Math.max(...beseda)), unit: "ms" },
          { name: "sharp alone (baseline), median", value: Math.round(sharpMs), unit: "ms" },
          { name: "upload / sharp alone", value: round(uploadMs / sharpMs), unit: "×" },
          { name: "server RSS, idle", value: Math.round(idleRss), unit: "MB" },
          {
            name: "server RSS, peak",
            value: Math.round(peak),
            unit: "MB",
            goal: { text: "< 300 MB", met: peak < 300 },
          },
        ],
        notes: [`${runs} measured uploads after one warm-up, alternating with the baseline`],
      };
    } finally {
      await server.stop();
    }
  },
};
