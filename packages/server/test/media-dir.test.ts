// BESEDA_MEDIA_DIR: media bytes kept in a folder of their own instead of the data dir's `media`
// (the folder that the nodes of a cluster share). An uploaded image's blobs land there, nothing in
// the data dir, and are served back from there.
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { basename, join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { TestApi } from "./helpers/api.ts";
import { mediaFiles, postMultipart } from "./helpers/media.ts";
import { tempDataDir } from "./helpers/temp-dir.ts";
import type { TestServer } from "./helpers/test-server.ts";
import { serverWithWorld, type World } from "./helpers/world.ts";

/** A folder whose `media` subfolder is the media dir (mediaFiles lists `<dir>/media`). */
const shared = tempDataDir();
let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld({ mediaDir: join(shared, "media") }));
});
afterAll(async () => {
  await server.stop();
  rmSync(shared, { recursive: true, force: true });
});

test("an uploaded image's blobs land in the media dir, none in the data dir, and are served", async () => {
  const png = await sharp({
    create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 40, b: 40 } },
  })
    .png()
    .toBuffer();
  const response = await postMultipart<Record<string, Record<string, string>>>(
    `${server.url}${api.pathOf("uploadImages", { user_id: w.seller.user_id })}`,
    w.sellerToken,
    [{ field: "uploadfile[]", bytes: png, filename: "red.png", type: "image/png" }],
  );
  expect(response.status, response.text).toBe(200);
  const [sizes] = Object.values(response.body);
  expect(sizes).toBeDefined();

  const stored = mediaFiles(shared);
  expect(stored.length).toBeGreaterThan(0);
  expect(mediaFiles(server.dataDir)).toEqual([]);

  // Each size is served, and its bytes are a blob of the media dir (blobs are named by SHA-256).
  const names = new Set(stored.map((path) => basename(path)));
  for (const url of Object.values(sizes ?? {})) {
    const served = await fetch(url);
    expect(served.status, url).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/jpeg");
    const hash = createHash("sha256")
      .update(Buffer.from(await served.arrayBuffer()))
      .digest("hex");
    expect(names.has(hash), url).toBe(true);
  }
});
