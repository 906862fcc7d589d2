// Hostile and heavy images (issue 9): decompression bombs under the 75-megapixel cap are refused
// before they are decoded; a 24 MB upload leaves the request thread free; decodes run in worker
// threads within a memory cap and a concurrency limit; a decode that takes too long is stopped.
// The media route answers a size that is no size with a 404, never a 500.
import { readdirSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodePeakBytes } from "../src/domain/media/decode-budget.ts";
import { declaredImage } from "../src/domain/media/image-format.ts";
import { ImageWorkerPool } from "../src/domain/media/image-workers.ts";
import { uploadedFile } from "../src/domain/media/uploaded-file.ts";
import { BesedaError } from "../src/errors/beseda-error.ts";
import { type ApiResponse, TestApi } from "./helpers/api.ts";
import { assertErrorEnvelope } from "./helpers/contract-validator.ts";
import { mediaFiles, postMultipart } from "./helpers/media.ts";
import { bannerValue, startServerProcess } from "./helpers/server-process.ts";
import { type TestServer, tempDataDir } from "./helpers/test-server.ts";
import { makeWorld, serverWithWorld, type World } from "./helpers/world.ts";

const MB = 1024 * 1024;
const HEIC_BOMB = readFileSync(new URL("./fixtures/bomb-8000x9000.heic", import.meta.url));

/** A 1 KB RLE8 BMP declaring 8660x8660 (75 megapixels): 512 ends of line, then end of bitmap. */
function bmpBomb(): Buffer {
  const pixels = Buffer.alloc(1024);
  const offset = 54 + pixels.length;
  const header = Buffer.alloc(54);
  header.write("BM", 0, "latin1");
  header.writeUInt32LE(offset + 2, 2);
  header.writeUInt32LE(offset, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(8660, 18);
  header.writeInt32LE(8660, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(8, 28); // bits per pixel
  header.writeUInt32LE(1, 30); // BI_RLE8
  header.writeUInt32LE(2, 34);
  return Buffer.concat([header, pixels, Buffer.from([0, 1])]);
}

/** FF D8 FF and then zeros: a "JPEG" of 24 MB whose header never ends. */
function zeroJpeg(bytes: number): Buffer {
  const file = Buffer.alloc(bytes);
  file.set([0xff, 0xd8, 0xff]);
  return file;
}

/** A PNG of noise (it does not compress), interlaced if asked: decoded whole, 4 bytes a pixel. */
async function noisyPng(width: number, height: number, interlaced = false): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let seed = 7;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    raw[i] = seed >> 23;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1, progressive: interlaced })
    .toBuffer();
}

interface ErrorBody {
  error: { code: number; message: string; fields?: Record<string, string> };
}

function reasonOf(response: ApiResponse<unknown>): string {
  return (response.body as ErrorBody).error.fields?.["uploadfile[]"] ?? "";
}

describe("uploadImages refuses bombs before decoding them", () => {
  let server: TestServer;
  let api: TestApi;
  let w: World;

  beforeAll(async () => {
    ({ server, api, w } = await serverWithWorld());
  });
  afterAll(() => server.stop());

  async function upload(bytes: Uint8Array): Promise<ApiResponse<unknown>> {
    const url = `${server.url}${api.pathOf("uploadImages", { user_id: w.seller.user_id })}`;
    const response = await postMultipart(url, w.sellerToken, [
      { field: "uploadfile[]", bytes, filename: "photo.jpg", type: "image/jpeg" },
    ]);
    if (response.status >= 400) assertErrorEnvelope(response.status, response.body);
    return response;
  }

  test("a 1 KB BMP declaring 8660x8660, once and four at once → 400, a decompression bomb", async () => {
    const before = mediaFiles(server.dataDir);
    const answers = [
      await upload(bmpBomb()),
      ...(await Promise.all([1, 2, 3, 4].map(() => upload(bmpBomb())))),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(reasonOf(answer)).toMatch(/declares 8660x8660 .* in 1 KB: .*decompression bomb/);
    }
    expect(mediaFiles(server.dataDir)).toEqual(before);
  });

  test("a 17 KB HEIC declaring 8000x9000 → 400, a decompression bomb", async () => {
    const answer = await upload(HEIC_BOMB);
    expect(answer.status).toBe(400);
    expect(reasonOf(answer)).toMatch(/declares 8000x9000 .* in 17 KB: .*decompression bomb/);
  });

  test("a 24 MB JPEG whose header never ends → 400, and the request thread is never held for long", async () => {
    // Before the worker pool, this upload's header was scanned on the request thread for 1.5 s
    // or more; the bound below is a failure line far above the few milliseconds the thread now
    // spends (figures: RELIABILITY.md), not a performance goal.
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const answers = await Promise.all([1, 2].map(() => upload(zeroJpeg(24 * MB - 1024))));
    delay.disable();
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(reasonOf(answer)).toMatch(/has a JPEG header that cannot be read/);
    }
    expect(delay.max / 1e6).toBeLessThan(300);
  });

  test("a JPEG whose frame header comes after more than 1 MB of comments is still read", async () => {
    const jpeg = await sharp({
      create: { width: 64, height: 48, channels: 3, background: "#c33" },
    })
      .jpeg()
      .toBuffer();
    // 20 comment segments of 60,000 bytes each between SOI and the rest: the frame header lies
    // past the first megabyte, where the workers first look.
    const comment = Buffer.alloc(4 + 60_000, 0x20);
    comment.writeUInt16BE(0xfffe, 0);
    comment.writeUInt16BE(60_002, 2);
    const padded = Buffer.concat([
      jpeg.subarray(0, 2),
      ...Array(20).fill(comment),
      jpeg.subarray(2),
    ]);
    const answer = await upload(padded);
    expect(answer.status, answer.text).toBe(200);
  });

  test("the media route: a size that is no size (constructor, __proto__, toString) → 404 in the envelope", async () => {
    const png = await sharp({
      create: { width: 40, height: 30, channels: 3, background: "#3a6" },
    })
      .png()
      .toBuffer();
    const answer = await upload(png);
    expect(answer.status).toBe(200);
    const imageId = Object.keys(answer.body as object)[0] as string;
    for (const size of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      const response = await api.request("GET", `/media/images/${size}/${imageId}.jpg`);
      expect(response.status, size).toBe(404);
      assertErrorEnvelope(response.status, response.body);
    }
    expect((await api.request("GET", `/media/images/640x480/${imageId}.jpg`)).status).toBe(200);
  });
});

describe("the memory cap", () => {
  test("an image whose decode alone needs more than BESEDA_IMAGE_MEMORY_MB → 400 saying so", async () => {
    const { server, api, w } = await serverWithWorld({ imageMemoryMb: 64 });
    try {
      // An interlaced PNG is held whole while it is decoded: ~82 MB at 3000x3000.
      const large = await noisyPng(3000, 3000, true);
      const url = `${server.url}${api.pathOf("uploadImages", { user_id: w.seller.user_id })}`;
      const refused = await postMultipart(url, w.sellerToken, [
        { field: "uploadfile[]", bytes: large, filename: "a.png" },
      ]);
      expect(refused.status).toBe(400);
      expect(reasonOf(refused)).toMatch(
        /3000x3000 .* PNG, which takes about \d+ MB to decode; the server allows 64 MB/,
      );
      const small = await noisyPng(300, 300, true);
      const accepted = await postMultipart(url, w.sellerToken, [
        { field: "uploadfile[]", bytes: small, filename: "b.png" },
      ]);
      expect(accepted.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe("the image worker pool", () => {
  function peakOf(bytes: Buffer): number {
    const image = declaredImage(bytes, "png");
    if (typeof image === "string") throw new Error("not a PNG");
    return decodePeakBytes(image, bytes.byteLength);
  }

  test("decodes wait their turn so that together they stay within the cap", async () => {
    const images = await Promise.all([1, 2, 3, 4].map(() => noisyPng(1200, 1000, true)));
    const peak = peakOf(images[0] as Buffer);
    // Four workers, but room for one decode at a time.
    const pool = new ImageWorkerPool({ workers: 4, memoryBytes: Math.ceil(peak * 1.5) });
    try {
      const rendered = await Promise.all(images.map((bytes) => pool.render(uploadedFile(bytes))));
      for (const image of rendered) {
        expect(image.width).toBe(1200);
        expect(Object.keys(image.jpegs).sort()).toEqual([
          "1280x960",
          "140x105",
          "32x32",
          "640x480",
        ]);
      }
      expect(pool.stats.peakMemoryInUse).toBe(peak);
      expect(pool.stats.memoryInUse).toBe(0);
    } finally {
      await pool.close();
    }
  });

  test("a worker idle for idleMs is ended, and a later upload starts another", async () => {
    const pool = new ImageWorkerPool({ workers: 2, memoryBytes: 512 * MB, idleMs: 20 });
    try {
      const small = await noisyPng(64, 48);
      await pool.render(uploadedFile(small));
      expect(pool.stats.workers).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pool.stats.workers).toBe(0);
      expect((await pool.render(uploadedFile(small))).width).toBe(64);
    } finally {
      await pool.close();
    }
  });

  test("a decode that takes too long is stopped and refused; the next upload gets a new worker", async () => {
    const slow = await noisyPng(4000, 3000, true);
    const pool = new ImageWorkerPool({ workers: 1, memoryBytes: 512 * MB, timeoutMs: 50 });
    try {
      const error = await pool.render(uploadedFile(slow)).then(
        () => null,
        (refused: unknown) => refused,
      );
      expect(error).toBeInstanceOf(BesedaError);
      expect((error as BesedaError).fields).toEqual({
        "uploadfile[]": "could not be decoded within 0.05 s",
      });
    } finally {
      await pool.close();
    }
    const roomy = new ImageWorkerPool({ workers: 1, memoryBytes: 512 * MB });
    try {
      const small = await noisyPng(64, 48);
      expect((await roomy.render(uploadedFile(small))).width).toBe(64);
    } finally {
      await roomy.close();
    }
  });

  test("past the bytes allowed to wait for a worker, uploads are turned away with 503", async () => {
    const slow = await noisyPng(1600, 1200, true);
    const pool = new ImageWorkerPool({
      workers: 1,
      memoryBytes: 512 * MB,
      maxWaitingBytes: slow.byteLength + 1,
    });
    try {
      const first = pool.render(uploadedFile(slow));
      const second = pool.render(uploadedFile(slow));
      const third = await pool.render(uploadedFile(slow)).then(
        () => null,
        (refused: unknown) => refused,
      );
      expect(third).toBeInstanceOf(BesedaError);
      expect((third as BesedaError).code).toBe("image_busy");
      expect((third as BesedaError).headers).toEqual({ "retry-after": "5" });
      await Promise.all([first, second]);
    } finally {
      await pool.close();
    }
  });
});

/** Name and nice value of each thread of a process, from /proc (Linux). */
function threadsOf(pid: number): { name: string; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    // Fields after "(comm) ": state is the first, nice the 17th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
    return { name, nice: Number(fields[16]) };
  });
}

describe.runIf(process.platform === "linux")("decoding yields the cores to requests", () => {
  test("every thread libvips starts in a real server runs at a lower priority than the request thread", async () => {
    const server = await startServerProcess(tempDataDir(), ["--no-demo"]);
    try {
      const api = new TestApi(server.url, bannerValue(server.stdout(), "admin token"));
      const w = await makeWorld(api);
      const url = `${server.url}${api.pathOf("uploadImages", { user_id: w.seller.user_id })}`;
      const photo = await noisyPng(1600, 1200);
      const answer = await postMultipart(url, w.sellerToken, [
        { field: "uploadfile[]", bytes: photo, filename: "photo.png", type: "image/png" },
      ]);
      expect(answer.status).toBe(200);
      const threads = threadsOf(server.child.pid as number);
      const libvips = threads.filter((thread) => thread.name.startsWith("libvips"));
      expect(libvips.length).toBeGreaterThan(0);
      for (const thread of libvips) expect(thread).toEqual({ name: thread.name, nice: 10 });
      expect(threads.find((thread) => thread.name === "MainThread")?.nice).toBe(0);
    } finally {
      server.child.kill();
      await server.exited;
    }
  });
});
