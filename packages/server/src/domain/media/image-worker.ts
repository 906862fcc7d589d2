// An image worker (see image-workers.ts): takes one upload at a time, inspects its header and
// answers what decoding it will take; decodes and resizes it once the pool says the memory is
// free. The upload's blocks go back with the last answer, to be reused (upload-blocks.ts). sharp's
// cache is off, so that nothing of a finished image stays behind.
import "./background-priority.ts";
import { parentPort } from "node:worker_threads";
import sharp from "sharp";
import { BesedaError } from "../../errors/beseda-error.ts";
import { type InspectedImage, inspectImage, renderImage } from "./image-pipeline.ts";

export type ToImageWorker =
  | { type: "inspect"; blocks: readonly Uint8Array[]; byteLength: number; memoryBytes: number }
  | { type: "render" };

/** The last answer about an upload, which hands its blocks back. */
type Finished =
  | { type: "rendered"; width: number; height: number; jpegs: Record<string, Uint8Array> }
  | { type: "refused"; fields: Record<string, string> }
  | { type: "failed"; message: string };

export type FromImageWorker =
  | { type: "inspected"; peakBytes: number; format: string }
  | (Finished & { blocks: readonly Uint8Array[] });

sharp.cache(false);

/** Headers are read from the first megabyte; joining the whole file waits for the decode. */
const HEAD_BYTES = 1024 * 1024;

interface Upload {
  blocks: readonly Uint8Array[];
  byteLength: number;
  image?: InspectedImage;
  memoryBytes: number;
  /** The whole file, joined: only when its header went past the first megabyte. */
  bytes?: Buffer;
}

/** The upload in hand, from "inspect" to its last answer. */
let upload: Upload | undefined;

/** The first `bytes` of the file (all of it when shorter), joined. */
function joined(blocks: readonly Uint8Array[], byteLength: number, bytes = byteLength): Buffer {
  const taken: Uint8Array[] = [];
  let length = 0;
  for (const block of blocks) {
    if (length >= bytes) break;
    taken.push(block);
    length += block.byteLength;
  }
  return Buffer.concat(taken, Math.min(length, byteLength));
}

function finish(message: Finished): void {
  const blocks = upload?.blocks ?? [];
  upload = undefined;
  const transfer = blocks.map((block) => block.buffer as ArrayBuffer);
  parentPort?.postMessage({ ...message, blocks } satisfies FromImageWorker, transfer);
}

function finishWithError(error: unknown): void {
  if (error instanceof BesedaError && error.fields)
    finish({ type: "refused", fields: error.fields });
  else {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    finish({ type: "failed", message });
  }
}

async function render(): Promise<void> {
  const image = upload?.image;
  if (!upload || !image) throw new Error("render before inspect");
  const { blocks, byteLength, memoryBytes } = upload;
  // Joined only now, once the pool has granted the memory (unless the header needed it already):
  // 24 MB of fresh memory is slow to touch, and a file refused by its header never needs it.
  const bytes = upload.bytes ?? joined(blocks, byteLength);
  const rendered = await renderImage(bytes, image, memoryBytes);
  // The JPEGs are small and sharp's buffers cannot be transferred: they are copied.
  finish({ type: "rendered", ...rendered });
}

parentPort?.on("message", (message: ToImageWorker) => {
  try {
    if (message.type === "inspect") {
      const { blocks, byteLength, memoryBytes } = message;
      upload = { blocks, byteLength, memoryBytes };
      let image = inspectImage(joined(blocks, byteLength, HEAD_BYTES), byteLength, memoryBytes);
      if (image === "truncated") {
        upload.bytes = joined(blocks, byteLength);
        // Given the whole file, inspectImage never answers "truncated".
        image = inspectImage(upload.bytes, byteLength, memoryBytes) as InspectedImage;
      }
      upload.image = image;
      const inspected: FromImageWorker = {
        type: "inspected",
        peakBytes: image.peakBytes,
        format: image.format,
      };
      parentPort?.postMessage(inspected);
    } else {
      render().catch(finishWithError);
    }
  } catch (error) {
    finishWithError(error);
  }
});
