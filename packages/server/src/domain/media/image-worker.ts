// An image worker (see image-workers.ts): takes one upload at a time, inspects its header and
// answers what decoding it will take; decodes and resizes it once the pool says the memory is
// free. sharp's cache is off, so that nothing of a finished image stays behind.
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import sharp from "sharp";
import { BesedaError } from "../../errors/beseda-error.ts";
import { type InspectedImage, inspectImage, renderImage } from "./image-pipeline.ts";

export type ToImageWorker =
  | { type: "inspect"; blocks: readonly Uint8Array[]; byteLength: number; memoryBytes: number }
  | { type: "render" };

export type FromImageWorker =
  | { type: "inspected"; peakBytes: number; format: string }
  | { type: "rendered"; width: number; height: number; jpegs: Record<string, Uint8Array> }
  | { type: "refused"; fields: Record<string, string> }
  | { type: "failed"; message: string };

sharp.cache(false);
// Decoding is background work: on Linux a nice value is a thread's own, so this thread yields the
// cores to the one serving requests (the cores sharp's own threads use are not affected).
try {
  setPriority(0, 10);
} catch {
  // Not allowed here (a container without the capability): decode at the usual priority.
}

/** Headers are read from the first megabyte; joining the whole file waits for the decode. */
const HEAD_BYTES = 1024 * 1024;

interface Upload {
  blocks: readonly Uint8Array[];
  byteLength: number;
  image: InspectedImage;
  memoryBytes: number;
}

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

function reply(message: FromImageWorker, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(message, transfer);
}

function replyError(error: unknown): void {
  upload = undefined;
  if (error instanceof BesedaError && error.fields)
    reply({ type: "refused", fields: error.fields });
  else
    reply({
      type: "failed",
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
}

async function render(): Promise<void> {
  if (!upload) throw new Error("render before inspect");
  const { blocks, byteLength, image, memoryBytes } = upload;
  // Joined only now, once the pool has granted the memory: 24 MB of fresh memory is slow to touch,
  // and a file refused by its header never needs it.
  const rendered = await renderImage(joined(blocks, byteLength), image, memoryBytes);
  upload = undefined;
  // The JPEGs are small and sharp's buffers cannot be transferred: they are copied.
  reply({ type: "rendered", ...rendered });
}

parentPort?.on("message", (message: ToImageWorker) => {
  try {
    if (message.type === "inspect") {
      const { blocks, byteLength, memoryBytes } = message;
      let image = inspectImage(joined(blocks, byteLength, HEAD_BYTES), byteLength, memoryBytes);
      if (image === "truncated") {
        // Given the whole file, inspectImage never answers "truncated".
        image = inspectImage(joined(blocks, byteLength), byteLength, memoryBytes) as InspectedImage;
      }
      upload = { blocks, byteLength, image, memoryBytes };
      reply({ type: "inspected", peakBytes: image.peakBytes, format: image.format });
    } else {
      render().catch(replyError);
    }
  } catch (error) {
    replyError(error);
  }
});
