// The memory uploads are received into: 64 KB blocks, handed out again once a file is done with
// them instead of allocated anew. Fresh memory is what makes receiving a large upload costly on
// the request thread: every new page faults (on a VM, many times the cost of copying into it),
// and every new ArrayBuffer adds to the external memory that sets off V8's full collections. A
// block that comes back (from an image worker, transferred, or after a voice file is joined) is
// warm. What is kept is bounded, and let go after a few idle seconds so that memory returns near
// idle.

/**
 * 60 KB: under glibc's threshold for memory mapped afresh (128 KB), so new blocks come from memory
 * the allocator reuses; and unlike Node's own pool (64 KB in Node 24), so that a slice of that pool
 * is never taken for a block.
 */
export const BLOCK_BYTES = 60 * 1024;

export class UploadBlocks {
  readonly #free: Buffer[] = [];
  readonly #maxKept: number;
  readonly #idleMs: number;
  #idleTimer: NodeJS.Timeout | undefined;

  /** Keeps at most `maxKeptBytes` of free blocks, for `idleMs` after the last one came back. */
  constructor(maxKeptBytes = 32 * 1024 * 1024, idleMs = 3_000) {
    this.#maxKept = Math.floor(maxKeptBytes / BLOCK_BYTES);
    this.#idleMs = idleMs;
  }

  get kept(): number {
    return this.#free.length;
  }

  /** A block to fill: one that came back, else a new one (never a slice of Node's shared pool). */
  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES);
  }

  /** Blocks a file is done with; any other buffer, or one past the bound, is left to the GC. */
  giveBack(blocks: Iterable<Uint8Array>): void {
    for (const block of blocks) {
      if (this.#free.length >= this.#maxKept) break;
      if (block.buffer.byteLength !== BLOCK_BYTES || block.buffer instanceof SharedArrayBuffer)
        continue;
      this.#free.push(Buffer.from(block.buffer, 0, BLOCK_BYTES));
    }
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#free.length = 0;
    }, this.#idleMs);
    this.#idleTimer.unref();
  }
}

/** The process's blocks: the request thread fills them, image workers send them back. */
export const uploadBlocks = new UploadBlocks();
