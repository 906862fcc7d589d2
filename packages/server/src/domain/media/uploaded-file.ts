// A file as an upload brought it: its bytes, in blocks of memory of its own, and their SHA-256,
// computed while they arrived. Blocks rather than one buffer because fresh memory is slow to touch
// on the thread that serves requests (each new page faults): the blocks are reused
// (upload-blocks.ts), while one 24 MB buffer would be new every time. The blocks are owned by the
// file alone, so they can be handed to a worker thread (transferred, not copied), where they are
// joined, and come back.
import { createHash } from "node:crypto";
import { BLOCK_BYTES, type UploadBlocks, uploadBlocks } from "./upload-blocks.ts";

export interface UploadedFile {
  /** The bytes in order; each block owns its ArrayBuffer. */
  blocks: readonly Buffer[];
  byteLength: number;
  sha256: string;
}

/** Collects a file's chunks, as they come, into blocks of its own, hashing them. */
export class UploadedFileBuilder {
  readonly #capacity: number;
  readonly #source: UploadBlocks;
  readonly #hash = createHash("sha256");
  readonly #blocks: Buffer[] = [];
  #used = BLOCK_BYTES;
  #length = 0;

  constructor(capacity: number, source: UploadBlocks = uploadBlocks) {
    this.#capacity = capacity;
    this.#source = source;
  }

  /** False, and nothing kept, when the chunk would pass the capacity. */
  append(chunk: Buffer): boolean {
    if (this.#length + chunk.byteLength > this.#capacity) return false;
    this.#hash.update(chunk);
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.#used === BLOCK_BYTES) {
        this.#blocks.push(this.#source.take());
        this.#used = 0;
      }
      const copied = chunk.copy(this.#blocks.at(-1) as Buffer, this.#used, at);
      this.#used += copied;
      at += copied;
    }
    this.#length += chunk.byteLength;
    return true;
  }

  build(): UploadedFile {
    const blocks = [...this.#blocks];
    const last = blocks.pop();
    if (last) blocks.push(last.subarray(0, this.#used));
    return { blocks, byteLength: this.#length, sha256: this.#hash.digest("hex") };
  }
}

/** A file already in memory (the demo world's photos, a test's fixture), as an upload. */
export function uploadedFile(bytes: Uint8Array): UploadedFile {
  const builder = new UploadedFileBuilder(bytes.byteLength);
  builder.append(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return builder.build();
}

/**
 * The file's bytes in one buffer (a copy, for files small enough to join on any thread); the
 * blocks go back to be reused.
 */
export function joinedBytes(file: UploadedFile): Buffer {
  const bytes = Buffer.concat(file.blocks, file.byteLength);
  uploadBlocks.giveBack(file.blocks);
  return bytes;
}
