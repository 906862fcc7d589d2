// An image worker (see image-workers.ts): takes one upload at a time, inspects its header and
// answers what decoding it will take; decodes and resizes it once the pool says the memory is
// free. sharp's cache is off, so that nothing of a finished image stays behind.
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

let upload: { bytes: Buffer; image: InspectedImage; memoryBytes: number } | undefined;

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
  const { bytes, image, memoryBytes } = upload;
  const rendered = await renderImage(bytes, image, memoryBytes);
  upload = undefined;
  // The JPEGs are small and sharp's buffers cannot be transferred: they are copied.
  reply({ type: "rendered", ...rendered });
}

parentPort?.on("message", (message: ToImageWorker) => {
  try {
    if (message.type === "inspect") {
      // Joined here: 24 MB of fresh memory is slow to touch, and this thread may take its time.
      const bytes = Buffer.concat(message.blocks, message.byteLength);
      const image = inspectImage(bytes, message.memoryBytes);
      upload = { bytes, image, memoryBytes: message.memoryBytes };
      reply({ type: "inspected", peakBytes: image.peakBytes, format: image.format });
    } else {
      render().catch(replyError);
    }
  } catch (error) {
    replyError(error);
  }
});
