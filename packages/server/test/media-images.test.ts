// Images: uploadImages (formats told from the bytes, the four sizes, EXIF orientation, metadata
// stripped, the 24 MB and 75 MP limits, every malformed request), the media route that serves the
// sizes, postSendImageMessage and sandbox image messages, and who may use which image.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import sharp, { type Metadata } from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ApiResponse, TestApi } from "./helpers/api.ts";
import { assertErrorEnvelope, assertOperationResponse } from "./helpers/contract-validator.ts";
import {
  encodeBmp,
  mediaFiles,
  pngHeaderOnly,
  postMultipart,
  type Rgb,
  type UploadPart,
} from "./helpers/media.ts";
import { storeSnapshot } from "./helpers/store-snapshot.ts";
import type { TestServer } from "./helpers/test-server.ts";
import { serverWithWorld, type World } from "./helpers/world.ts";

const SIZES = ["1280x960", "640x480", "140x105", "32x32"] as const;
const IMAGE_ID = /^\d+\.[0-9a-f]{32}$/;
const MB = 1024 * 1024;
const HEIC = readFileSync(new URL("./fixtures/sample.heic", import.meta.url));

type SizeMap = Record<string, string>;
type UploadAnswer = Record<string, SizeMap>;

interface ErrorBody {
  error: { code: number; message: string; fields?: Record<string, string> };
}

interface MessageBody {
  id: string;
  author_id: number;
  type: string;
  direction: "in" | "out";
  content: { image?: { sizes: SizeMap } };
}

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
});
afterAll(() => server.stop());

// ---- fixtures -------------------------------------------------------------------------------

const RED: Rgb = [220, 20, 20];
const BLUE: Rgb = [20, 20, 220];

function solid(width: number, height: number, channels: 3 | 4 = 3) {
  const background =
    channels === 4 ? { r: 40, g: 160, b: 40, alpha: 0.5 } : { r: 40, g: 160, b: 40 };
  return sharp({ create: { width, height, channels, background } });
}

/** width x height, the left half red and the right half blue. */
function halves(width: number, height: number) {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      pixels.set(x < width / 2 ? RED : BLUE, (y * width + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

function noisyJpeg(width: number, height: number): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: "#808080",
      noise: { type: "gaussian", mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The dimensions a width x height image takes inside a box, never enlarged. */
function fitInside(width: number, height: number, box: string): [number, number] {
  const [bw = 0, bh = 0] = box.split("x").map(Number);
  if (width <= bw && height <= bh) return [width, height];
  const scale = Math.min(bw / width, bh / height);
  return [width * scale, height * scale];
}

// ---- requests -------------------------------------------------------------------------------

function validated<T>(operationId: string | null, response: ApiResponse<T>): ApiResponse<T> {
  if (response.status >= 300) assertErrorEnvelope(response.status, response.body);
  else if (operationId) assertOperationResponse(operationId, response.body);
  return response;
}

function uploadUrl(userId: number) {
  return `${server.url}${api.pathOf("uploadImages", { user_id: userId })}`;
}

/** uploadImages with the given parts, validated against the document. */
async function uploadParts(
  token: string,
  userId: number,
  parts: UploadPart[],
  fields?: Record<string, string>,
) {
  return validated(
    "uploadImages",
    await postMultipart<UploadAnswer>(uploadUrl(userId), token, parts, fields),
  );
}

function imagePart(bytes: Uint8Array, filename = "photo.jpg", type = "image/jpeg"): UploadPart {
  return { field: "uploadfile[]", bytes, filename, type };
}

/** Uploads one image that must be accepted; answers its id and its size URLs. */
async function uploadOk(
  bytes: Uint8Array,
  as: { token: string; userId: number } = { token: w.sellerToken, userId: w.seller.user_id },
  filename?: string,
  type?: string,
): Promise<{ id: string; sizes: SizeMap }> {
  const response = await uploadParts(as.token, as.userId, [imagePart(bytes, filename, type)]);
  expect(response.status, response.text).toBe(200);
  const ids = Object.keys(response.body);
  expect(ids).toHaveLength(1);
  const id = ids[0] as string;
  return { id, sizes: response.body[id] as SizeMap };
}

async function sandboxUpload(userId: number, bytes: Uint8Array, token = server.adminToken) {
  return validated(
    null,
    await postMultipart<UploadAnswer>(`${server.url}/sandbox/v1/accounts/${userId}/images`, token, [
      imagePart(bytes),
    ]),
  );
}

async function imageCount(): Promise<number> {
  return (await server.ctx.store.db.selectFrom("image").select("id").execute()).length;
}

/** Each size: fetched, checked as served (JPEG, cache headers), decoded. */
async function fetchSizes(sizes: SizeMap) {
  expect(Object.keys(sizes).sort()).toEqual([...SIZES].sort());
  const out: Record<string, { bytes: Buffer; meta: Metadata; etag: string }> = {};
  for (const size of SIZES) {
    const url = sizes[size] as string;
    expect(url.startsWith(`${server.url}/`), url).toBe(true);
    const response = await fetch(url);
    expect(response.status, url).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/jpeg");
    expect(response.headers.get("cache-control")).toMatch(/max-age=\d+/);
    const etag = response.headers.get("etag");
    expect(etag).toBeTruthy();
    const bytes = Buffer.from(await response.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(meta.format, `${size} is JPEG`).toBe("jpeg");
    out[size] = { bytes, meta, etag: etag as string };
  }
  return out;
}

async function expectSizesOf(sizes: SizeMap, width: number, height: number) {
  const served = await fetchSizes(sizes);
  for (const size of SIZES) {
    const [ew, eh] = fitInside(width, height, size);
    const { meta } = served[size] as { meta: Metadata };
    expect(Math.abs(meta.width - ew), `${size} width ${meta.width} ≈ ${ew}`).toBeLessThanOrEqual(1);
    expect(Math.abs(meta.height - eh), `${size} height ${meta.height} ≈ ${eh}`).toBeLessThanOrEqual(
      1,
    );
  }
  return served;
}

/** The colour of one pixel of a decoded image. */
async function pixel(bytes: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(bytes)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at] ?? -1, data[at + 1] ?? -1, data[at + 2] ?? -1];
}

function expectColour(actual: number[], expected: Rgb, label: string) {
  for (let i = 0; i < 3; i++) {
    expect(
      Math.abs((actual[i] ?? -1) - (expected[i] ?? 0)),
      `${label}: ${actual} ≈ ${expected}`,
    ).toBeLessThanOrEqual(40);
  }
}

function messages(token: string, userId: number, chatId: string) {
  return api.call<MessageBody[]>("getMessagesV3", {
    token,
    params: { user_id: userId, chat_id: chatId },
  });
}

function sendImage(token: string, userId: number, chatId: string, imageId: string) {
  return api.call<MessageBody & { created: number }>("postSendImageMessage", {
    token,
    params: { user_id: userId, chat_id: chatId },
    json: { image_id: imageId },
  });
}

/** Refused uploads change nothing: no image row, no file in the media folder. */
async function expectNothingKept<T>(run: () => Promise<T>): Promise<T> {
  const files = mediaFiles(server.dataDir);
  const images = await imageCount();
  const result = await run();
  expect(mediaFiles(server.dataDir)).toEqual(files);
  expect(await imageCount()).toBe(images);
  return result;
}

function fieldsOf(response: ApiResponse<unknown>): Record<string, string> {
  return (response.body as ErrorBody).error.fields ?? {};
}

interface StreamedAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** Bytes of the file part written when the answer arrived. */
  sentAtAnswer: number;
  /** Whether the request body had been finished when the answer arrived. */
  finishedAtAnswer: boolean;
  /** Whether the server closed the connection after its answer (within 2 s). */
  closedByServer: boolean;
}

/**
 * Streams a multipart upload of `fileBytes` bytes lazily, one chunk after the other as the socket
 * takes them. With `finish` the closing boundary follows and the request ends; without it the
 * request is still being sent when (if) the server answers. A reset seen by the client after the
 * answer is tolerated.
 */
function streamUpload(
  url: string,
  token: string,
  fileBytes: number,
  finish: boolean,
): Promise<StreamedAnswer> {
  const boundary = `beseda${randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="uploadfile[]"; filename="big.jpg"\r\n` +
      "Content-Type: image/jpeg\r\n\r\n",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  // A JPEG's first bytes, then padding: the size limit is what must answer.
  chunk.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no answer after streaming ${sent} bytes`));
    }, 8000);
    const request = httpRequest(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": String(head.length + fileBytes + tail.length),
      },
    });
    request.on("response", (response) => {
      answered = true;
      const sentAtAnswer = sent;
      const finishedAtAnswer = request.writableEnded;
      const chunks: Buffer[] = [];
      response.on("data", (data: Buffer) => chunks.push(data));
      response.on("error", () => {});
      response.on("end", () => {
        clearTimeout(timer);
        const socket = response.socket;
        const done = (closedByServer: boolean) => {
          clearTimeout(wait);
          request.destroy();
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text === "" ? text : JSON.parse(text),
            sentAtAnswer,
            finishedAtAnswer,
            closedByServer,
          });
        };
        const wait = setTimeout(() => done(false), 2000);
        if (socket.destroyed) done(true);
        else socket.once("close", () => done(true));
      });
    });
    request.on("error", (error) => {
      if (answered) return;
      clearTimeout(timer);
      reject(error);
    });
    const pump = () => {
      while (!answered && !request.destroyed && sent < fileBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, fileBytes - sent));
        sent += piece.length;
        if (!request.write(piece)) {
          request.once("drain", pump);
          return;
        }
      }
      if (finish && !answered && !request.destroyed && !request.writableEnded) request.end(tail);
    };
    request.write(head);
    pump();
  });
}

// ---- tests ----------------------------------------------------------------------------------

describe("uploadImages: formats told from the bytes", () => {
  test("a JPEG answers one <digits>.<32 hex> id with four absolute JPEG sizes fitting their boxes", async () => {
    const { id, sizes } = await uploadOk(await solid(3000, 1000).jpeg().toBuffer());
    expect(id).toMatch(IMAGE_ID);
    const served = await expectSizesOf(sizes, 3000, 1000);
    expect(served["1280x960"]?.meta).toMatchObject({ width: 1280 });
    expect(Math.abs((served["1280x960"]?.meta.height ?? 0) - 427)).toBeLessThanOrEqual(1);
    expect(Math.abs((served["640x480"]?.meta.height ?? 0) - 213)).toBeLessThanOrEqual(1);
    expect(Math.abs((served["140x105"]?.meta.height ?? 0) - 47)).toBeLessThanOrEqual(1);
    expect(Math.abs((served["32x32"]?.meta.height ?? 0) - 11)).toBeLessThanOrEqual(1);
  });

  test("a tall image fits by its height", async () => {
    const { sizes } = await uploadOk(await solid(900, 2700).jpeg().toBuffer());
    await expectSizesOf(sizes, 900, 2700);
  });

  test("a small image is never enlarged", async () => {
    const { sizes } = await uploadOk(await solid(100, 50).jpeg().toBuffer());
    const served = await expectSizesOf(sizes, 100, 50);
    for (const size of ["1280x960", "640x480", "140x105"]) {
      expect(served[size]?.meta, size).toMatchObject({ width: 100, height: 50 });
    }
    expect(served["32x32"]?.meta).toMatchObject({ width: 32, height: 16 });
  });

  test("a PNG with alpha becomes opaque JPEG", async () => {
    const png = await solid(800, 600, 4).png().toBuffer();
    expect((await sharp(png).metadata()).hasAlpha).toBe(true);
    const { sizes } = await uploadOk(png, undefined, "picture.png", "image/png");
    const served = await expectSizesOf(sizes, 800, 600);
    for (const size of SIZES) expect(served[size]?.meta.hasAlpha, size).toBe(false);
  });

  test("a GIF is accepted", async () => {
    const gif = await solid(300, 200).gif().toBuffer();
    expect((await sharp(gif).metadata()).format).toBe("gif");
    const { sizes } = await uploadOk(gif, undefined, "anim.gif", "image/gif");
    await expectSizesOf(sizes, 300, 200);
  });

  test.each([24, 32] as const)(
    "a %i-bit BMP (bottom-up rows, padded) is accepted, upright and in its colours",
    async (bits) => {
      // 61 pixels wide: 24-bit rows of 183 bytes padded to 184. Top half red, bottom half blue.
      const bmp = encodeBmp(61, 30, (_x, y) => (y < 15 ? RED : BLUE), bits);
      const { sizes } = await uploadOk(bmp, undefined, "scan.bmp", "image/bmp");
      const served = await expectSizesOf(sizes, 61, 30);
      const largest = served["1280x960"]?.bytes as Buffer;
      expectColour(await pixel(largest, 30, 3), RED, "top");
      expectColour(await pixel(largest, 30, 26), BLUE, "bottom");
      expectColour(await pixel(largest, 2, 3), RED, "top left");
      expectColour(await pixel(largest, 58, 26), BLUE, "bottom right");
    },
  );

  test("a HEIC still is accepted", async () => {
    const { sizes } = await uploadOk(HEIC, undefined, "IMG_0001.HEIC", "image/heic");
    const served = await expectSizesOf(sizes, 96, 64);
    // The picture itself came through: dark on average and far from uniform, not a blank frame.
    const { channels } = await sharp(served["1280x960"]?.bytes).stats();
    expect(channels[0]?.mean).toBeLessThan(160);
    expect(channels[0]?.stdev).toBeGreaterThan(50);
  });

  test("the file name and declared type do not matter: a PNG named photo.jpg as image/jpeg", async () => {
    const png = await solid(120, 90).png().toBuffer();
    const { sizes } = await uploadOk(png, undefined, "photo.jpg", "image/jpeg");
    await expectSizesOf(sizes, 120, 90);
  });

  test("EXIF orientation is applied and metadata stripped", async () => {
    // 400x200, left half red; orientation 6 shows it turned a quarter clockwise: portrait, red on top.
    const jpeg = await halves(400, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const source = await sharp(jpeg).metadata();
    expect(source).toMatchObject({ width: 400, height: 200, orientation: 6 });
    expect(source.exif).toBeDefined();
    const { sizes } = await uploadOk(jpeg);
    const served = await expectSizesOf(sizes, 200, 400);
    const largest = served["1280x960"];
    expect(largest?.meta).toMatchObject({ width: 200, height: 400 });
    for (const size of SIZES) {
      const meta = served[size]?.meta;
      expect(meta?.exif, `${size} has no EXIF`).toBeUndefined();
      expect(meta?.orientation, `${size} has no orientation`).toBeUndefined();
      expect(meta?.xmp, `${size} has no XMP`).toBeUndefined();
    }
    expectColour(await pixel(largest?.bytes as Buffer, 100, 20), RED, "top");
    expectColour(await pixel(largest?.bytes as Buffer, 100, 380), BLUE, "bottom");
  });
});

describe("image URLs", () => {
  test("are cacheable: ETag and 304 on If-None-Match; unknown images are 404", async () => {
    const { id, sizes } = await uploadOk(await solid(200, 100).jpeg().toBuffer());
    const url = sizes["640x480"] as string;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toContain("public");
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await fetch(url, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const other = await fetch(url, { headers: { "if-none-match": '"something-else"' } });
    expect(other.status).toBe(200);

    const unknownId = `123456.${"0".repeat(32)}`;
    for (const path of [
      `/media/images/640x480/${unknownId}.jpg`,
      `/media/images/999x999/${id}.jpg`,
      `/media/images/640x480/${id}.png`,
    ]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      assertErrorEnvelope(404, await response.json());
    }
  });

  test("the same bytes uploaded twice: two ids, the media folder does not grow", async () => {
    const jpeg = await noisyJpeg(500, 400);
    const first = await uploadOk(jpeg);
    const files = mediaFiles(server.dataDir);
    expect(files.length).toBeGreaterThan(0);
    const second = await uploadOk(jpeg);
    expect(second.id).not.toBe(first.id);
    expect(second.id).toMatch(IMAGE_ID);
    expect(mediaFiles(server.dataDir)).toEqual(files);
    for (const size of SIZES) {
      expect(second.sizes[size]).not.toBe(first.sizes[size]);
      const [a, b] = await Promise.all([
        fetch(first.sizes[size] as string).then((r) => r.arrayBuffer()),
        fetch(second.sizes[size] as string).then((r) => r.arrayBuffer()),
      ]);
      expect(Buffer.from(b).equals(Buffer.from(a)), size).toBe(true);
    }
  });
});

describe("uploadImages: refused uploads keep nothing", () => {
  test("exactly 24 MB is within the limit (then refused as not an image)", async () => {
    const response = await expectNothingKept(() =>
      uploadParts(w.sellerToken, w.seller.user_id, [imagePart(Buffer.alloc(24 * MB, 0x20))]),
    );
    expect(response.status).toBe(400);
    expect(fieldsOf(response)["uploadfile[]"]).toMatch(/JPEG/);
  });

  test("24 MB + 1 byte → 413 with the error envelope", async () => {
    const answer = await expectNothingKept(() =>
      streamUpload(uploadUrl(w.seller.user_id), w.sellerToken, 24 * MB + 1, true),
    );
    expect(answer.status).toBe(413);
    assertErrorEnvelope(413, answer.body);
    expect((answer.body as ErrorBody).error.message).toMatch(/24 MB/);
  });

  test("a larger upload is answered 413 while the client is still sending, and cut", async () => {
    const declared = 64 * MB;
    const answer = await expectNothingKept(() =>
      streamUpload(uploadUrl(w.seller.user_id), w.sellerToken, declared, false),
    );
    expect(answer.status).toBe(413);
    assertErrorEnvelope(413, answer.body);
    expect(answer.finishedAtAnswer).toBe(false);
    expect(answer.sentAtAnswer).toBeGreaterThan(24 * MB);
    expect(answer.sentAtAnswer).toBeLessThan(declared);
    expect(answer.headers.connection).toBe("close");
    expect(answer.closedByServer).toBe(true);
    // The server is still fine afterwards.
    await uploadOk(await solid(20, 20).jpeg().toBuffer());
  });

  test("more than 75 megapixels, read from the header → 400 naming megapixels, fast", async () => {
    const png = pngHeaderOnly(10_000, 8_000);
    expect(png.length).toBeLessThan(100);
    const started = performance.now();
    const response = await expectNothingKept(() =>
      uploadParts(w.sellerToken, w.seller.user_id, [imagePart(png, "huge.png", "image/png")]),
    );
    const elapsed = performance.now() - started;
    expect(response.status).toBe(400);
    expect(fieldsOf(response)["uploadfile[]"]).toMatch(/megapixels/);
    expect(fieldsOf(response)["uploadfile[]"]).toMatch(/10000x8000/);
    expect(elapsed).toBeLessThan(1000);
  });

  test("a truncated JPEG → 400", async () => {
    const jpeg = await noisyJpeg(600, 400);
    const half = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    const response = await expectNothingKept(() =>
      uploadParts(w.sellerToken, w.seller.user_id, [imagePart(half)]),
    );
    expect(response.status).toBe(400);
    expect(fieldsOf(response)["uploadfile[]"]).toMatch(/JPEG/);
  });

  test("a text file named photo.jpg sent as image/jpeg → 400", async () => {
    const text = Buffer.from("this is not a photo, just some text\n".repeat(20));
    const response = await expectNothingKept(() =>
      uploadParts(w.sellerToken, w.seller.user_id, [imagePart(text, "photo.jpg", "image/jpeg")]),
    );
    expect(response.status).toBe(400);
    expect(fieldsOf(response)["uploadfile[]"]).toMatch(/not a JPEG, PNG, GIF, BMP or HEIC/);
  });

  test("an empty file → 400", async () => {
    const response = await expectNothingKept(() =>
      uploadParts(w.sellerToken, w.seller.user_id, [imagePart(Buffer.alloc(0))]),
    );
    expect(response.status).toBe(400);
    expect(fieldsOf(response)["uploadfile[]"]).toBeDefined();
  });

  test("the wrong field name → 400 naming uploadfile[] and the field used", async () => {
    const jpeg = await solid(50, 50).jpeg().toBuffer();
    const response = await expectNothingKept(() =>
      uploadParts(w.sellerToken, w.seller.user_id, [{ field: "file", bytes: jpeg }]),
    );
    expect(response.status).toBe(400);
    expect(fieldsOf(response)["uploadfile[]"]).toMatch(/"file"/);
  });

  test("two files → 400: one image per request", async () => {
    const a = await solid(50, 50).jpeg().toBuffer();
    const b = await solid(60, 60).jpeg().toBuffer();
    const response = await expectNothingKept(() =>
      uploadParts(w.sellerToken, w.seller.user_id, [imagePart(a), imagePart(b)]),
    );
    expect(response.status).toBe(400);
    expect(fieldsOf(response)["uploadfile[]"]).toMatch(/one file/);
  });

  test("uploadfile[] sent as a text field, not a file → 400 saying so", async () => {
    const response = await expectNothingKept(() =>
      uploadParts(w.sellerToken, w.seller.user_id, [], { "uploadfile[]": "not a file" }),
    );
    expect(response.status).toBe(400);
    expect(fieldsOf(response)["uploadfile[]"]).toMatch(/came as a text field, not a file/);
  });

  test("no file, only another text field → 400: missing", async () => {
    const response = await expectNothingKept(() =>
      uploadParts(w.sellerToken, w.seller.user_id, [], { caption: "no file" }),
    );
    expect(response.status).toBe(400);
    expect(fieldsOf(response)["uploadfile[]"]).toMatch(/missing/);
  });

  test("not multipart: a JSON body or no body → 400", async () => {
    for (const json of [{ "uploadfile[]": "abc" }, undefined]) {
      const response = await expectNothingKept(() =>
        api.call("uploadImages", {
          token: w.sellerToken,
          params: { user_id: w.seller.user_id },
          json,
        }),
      );
      expect(response.status, JSON.stringify(json)).toBe(400);
      expect(fieldsOf(response)["uploadfile[]"]).toMatch(/multipart\/form-data/);
    }
  });

  test("another account's token → 403, nothing kept", async () => {
    const jpeg = await solid(70, 70).jpeg().toBuffer();
    const response = await expectNothingKept(() =>
      uploadParts(w.strangerToken, w.seller.user_id, [imagePart(jpeg)]),
    );
    expect(response.status).toBe(403);
  });
});

describe("postSendImageMessage", () => {
  test("sends an uploaded image; both sides' history shows it with the upload's URLs", async () => {
    const { id, sizes } = await uploadOk(await solid(640, 480).jpeg().toBuffer());
    const response = await sendImage(w.sellerToken, w.seller.user_id, w.chatId, id);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      author_id: w.seller.user_id,
      direction: "out",
      type: "image",
      content: { image: { sizes } },
    });
    expect(response.body.id).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.keys(response.body).sort()).toEqual(
      ["author_id", "content", "created", "direction", "id", "type"].sort(),
    );

    const own = await messages(w.sellerToken, w.seller.user_id, w.chatId);
    expect(own.body[0]).toMatchObject({
      id: response.body.id,
      type: "image",
      direction: "out",
      content: { image: { sizes } },
    });
    const theirs = await messages(w.buyerToken, w.buyer.user_id, w.chatId);
    expect(theirs.body[0]).toMatchObject({
      id: response.body.id,
      type: "image",
      direction: "in",
      content: { image: { sizes } },
    });
    expect(theirs.body[0]?.content).toEqual({ image: { sizes } });
  });

  test("an unknown or another account's image id → 400 naming image_id; nothing changes", async () => {
    const { id: buyersImage } = await uploadOk(await solid(64, 48).jpeg().toBuffer(), {
      token: w.buyerToken,
      userId: w.buyer.user_id,
    });
    const before = await storeSnapshot(server.ctx.store);
    for (const imageId of [`1234567.${"a".repeat(32)}`, "nonsense", buyersImage]) {
      const response = await sendImage(w.sellerToken, w.seller.user_id, w.chatId, imageId);
      expect(response.status, imageId).toBe(400);
      expect(fieldsOf(response).image_id, imageId).toBeDefined();
    }
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
    // The buyer may send its own image into the same chat.
    expect((await sendImage(w.buyerToken, w.buyer.user_id, w.chatId, buyersImage)).status).toBe(
      200,
    );
  });

  test("another account's token → 403; a chat the account is not in → 404; nothing changes", async () => {
    const { id } = await uploadOk(await solid(66, 44).jpeg().toBuffer());
    const before = await storeSnapshot(server.ctx.store);
    expect((await sendImage(w.strangerToken, w.seller.user_id, w.chatId, id)).status).toBe(403);
    expect((await sendImage(w.buyerToken, w.seller.user_id, w.chatId, id)).status).toBe(403);
    expect((await sendImage(w.strangerToken, w.stranger.user_id, w.chatId, id)).status).toBe(404);
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });
});

describe("sandbox images", () => {
  test("POST /sandbox/v1/accounts/{user_id}/images → 201 the same map; the author sends it", async () => {
    const jpeg = await solid(320, 240).jpeg().toBuffer();
    const response = await sandboxUpload(w.buyer.user_id, jpeg);
    expect(response.status, response.text).toBe(201);
    assertOperationResponse("uploadImages", response.body);
    const [id] = Object.keys(response.body);
    expect(id).toMatch(IMAGE_ID);
    const sizes = response.body[id as string] as SizeMap;
    await expectSizesOf(sizes, 320, 240);

    const posted = await api.sandbox<MessageBody>(
      "POST",
      `/chats/${encodeURIComponent(w.chatId)}/messages`,
      { author_id: w.buyer.user_id, type: "image", content: { image_id: id } },
    );
    expect(posted.status, posted.text).toBe(201);
    expect(posted.body).toMatchObject({ type: "image", content: { image: { sizes } } });
    const seen = await messages(w.sellerToken, w.seller.user_id, w.chatId);
    expect(seen.body[0]).toMatchObject({
      id: posted.body.id,
      author_id: w.buyer.user_id,
      direction: "in",
      type: "image",
      content: { image: { sizes } },
    });
  });

  test("a sandbox image message needs an image uploaded by its author", async () => {
    const { id: sellersImage } = await uploadOk(await solid(90, 60).jpeg().toBuffer());
    const before = await storeSnapshot(server.ctx.store);
    for (const content of [
      { image_id: sellersImage },
      { image_id: `1234567.${"b".repeat(32)}` },
      {},
    ]) {
      const response = await api.sandbox(
        "POST",
        `/chats/${encodeURIComponent(w.chatId)}/messages`,
        { author_id: w.buyer.user_id, type: "image", content },
      );
      expect(response.status, JSON.stringify(content)).toBe(400);
      assertErrorEnvelope(400, response.body);
      expect(Object.keys(fieldsOf(response)).join(), JSON.stringify(content)).toMatch(/image_id/);
    }
    expect(await storeSnapshot(server.ctx.store)).toBe(before);
  });

  test("the sandbox upload needs the admin token and refuses what uploadImages refuses", async () => {
    const jpeg = await solid(30, 30).jpeg().toBuffer();
    const noAdmin = await expectNothingKept(() =>
      sandboxUpload(w.buyer.user_id, jpeg, w.buyerToken),
    );
    expect(noAdmin.status).toBe(401);
    const notImage = await expectNothingKept(() =>
      sandboxUpload(w.buyer.user_id, Buffer.from("plain text")),
    );
    expect(notImage.status).toBe(400);
    expect(fieldsOf(notImage)["uploadfile[]"]).toBeDefined();
    const noAccount = await expectNothingKept(() => sandboxUpload(999_999_999, jpeg));
    expect(noAccount.status).toBe(404);
  });
});
