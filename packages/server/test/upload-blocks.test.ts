// The memory uploads are received into is reused: blocks come back from the image workers and
// from joined voice files, within a bound, and are let go after an idle spell.
import sharp from "sharp";
import { expect, test } from "vitest";
import { ImageWorkerPool } from "../src/domain/media/image-workers.ts";
import { BLOCK_BYTES, UploadBlocks, uploadBlocks } from "../src/domain/media/upload-blocks.ts";
import { joinedBytes, UploadedFileBuilder } from "../src/domain/media/uploaded-file.ts";

test("blocks given back are handed out again, up to the bound, and dropped after the idle spell", async () => {
  const blocks = new UploadBlocks(2 * BLOCK_BYTES, 20);
  const [a, b, c] = [blocks.take(), blocks.take(), blocks.take()];
  blocks.giveBack([a, b, c].map((block) => block.subarray(0, 10)));
  expect(blocks.kept).toBe(2);
  const again = blocks.take();
  expect([a.buffer, b.buffer]).toContain(again.buffer);
  // Not a block: a slice of Node's shared pool is never taken in.
  blocks.giveBack([Buffer.from("not a block")]);
  expect(blocks.kept).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(blocks.kept).toBe(0);
});

test("an upload's blocks come back from the image worker, and from a joined voice file", async () => {
  const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#48c" } })
    .png()
    .toBuffer();
  const builder = new UploadedFileBuilder(1024 * 1024);
  builder.append(png);
  const file = builder.build();
  const before = uploadBlocks.kept;
  const pool = new ImageWorkerPool({ workers: 1, memoryBytes: 256 * 1024 * 1024 });
  try {
    await pool.render(file);
    expect(uploadBlocks.kept).toBe(before + file.blocks.length);
  } finally {
    await pool.close();
  }
  const voice = new UploadedFileBuilder(1024 * 1024);
  voice.append(Buffer.alloc(100_000, 7));
  const voiceFile = voice.build();
  const kept = uploadBlocks.kept;
  expect(joinedBytes(voiceFile).equals(Buffer.alloc(100_000, 7))).toBe(true);
  expect(uploadBlocks.kept).toBe(kept + 2);
});
