// Image decoding off the request thread: a pool of worker threads (image-worker.ts) with a
// concurrency limit (one upload per worker) and a memory cap. Each upload is first inspected in a
// worker, which answers what decoding it takes at the peak (decode-budget.ts); it is decoded only
// once that fits beside the decodes already running, first come first served, so that the
// workers together never hold more than the cap. A worker that held much memory is replaced
// afterwards (WebAssembly memory, which HEIC decoding grows, is never given back otherwise), so
// the server's RSS returns near idle. The request thread only hands the upload's blocks over
// (transferred, not copied) and takes the JPEGs back.
import type { Worker } from "node:worker_threads";
import { BesedaError, validationError } from "../../errors/beseda-error.ts";
import { startModuleWorker } from "../../worker-thread.ts";
import type { RenderedImage } from "./image-pipeline.ts";
import type { FromImageWorker, ToImageWorker } from "./image-worker.ts";
import { uploadBlocks } from "./upload-blocks.ts";
import type { UploadedFile } from "./uploaded-file.ts";

/** What the domain needs of image decoding; the pool is the one implementation. */
export interface ImageRenderer {
  /**
   * The four sizes of an upload; a 400 naming uploadfile[] when it is refused. Takes the file's
   * blocks: they move to the thread that decodes them.
   */
  render(file: UploadedFile): Promise<RenderedImage>;
  close(): Promise<void>;
}

export interface ImageWorkerOptions {
  /** Uploads decoded at once, one per worker thread. */
  workers: number;
  /** Bytes the decodes running at once may take together; no single image may need more. */
  memoryBytes: number;
  /** A decode still running after this long is stopped and the upload refused. */
  timeoutMs?: number;
  /** Uploads waiting for a worker hold their bytes; past this many bytes, new ones are turned away. */
  maxWaitingBytes?: number;
  /** A worker idle this long is ended: what its thread kept of earlier images goes with it. */
  idleMs?: number;
  onError?: (error: Error) => void;
}

/** A worker whose upload took more than this at its peak is replaced once it is done. */
const REPLACE_AFTER_PEAK_BYTES = 64 * 1024 * 1024;
const DEFAULTS = {
  timeoutMs: 60_000,
  maxWaitingBytes: 256 * 1024 * 1024,
  // Long enough that a steady trickle of uploads keeps its workers: a worker started and ended
  // every few seconds left memory behind in the allocator's per-thread arenas (the soak's RSS
  // grew ~10 MB a minute with 3 s, ~2 with 30 s and more). Workers that held much memory are
  // replaced as soon as they are done, whatever this says.
  idleMs: 30_000,
  onError: () => {},
};
/** The worker's JavaScript heap; the pixels live outside it, in buffers and WebAssembly memory. */
const WORKER_HEAP_MB = 128;

interface Job {
  file: UploadedFile;
  resolve(image: RenderedImage): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  /** The memory granted to its decode; 0 while it is not decoding. */
  granted: number;
  peakBytes: number;
  replaceAfter: boolean;
  /** The decode's deadline while it has a job, its idle limit while it has none. */
  timer: NodeJS.Timeout | undefined;
}

function refusal(reason: string): BesedaError {
  return validationError({ "uploadfile[]": reason });
}

export class ImageWorkerPool implements ImageRenderer {
  readonly #options: Required<ImageWorkerOptions>;
  readonly #slots = new Set<Slot>();
  readonly #waitingForWorker: Job[] = [];
  readonly #waitingForMemory: Slot[] = [];
  #waitingBytes = 0;
  #memoryInUse = 0;
  #peakMemoryInUse = 0;
  #closed = false;

  constructor(options: ImageWorkerOptions) {
    this.#options = { ...DEFAULTS, ...options };
  }

  /** Workers, uploads in hand and waiting, and the memory granted to decodes (now and at most). */
  get stats() {
    return {
      workers: this.#slots.size,
      busy: [...this.#slots].filter((slot) => slot.job).length,
      waiting: this.#waitingForWorker.length,
      memoryInUse: this.#memoryInUse,
      peakMemoryInUse: this.#peakMemoryInUse,
    };
  }

  render(file: UploadedFile): Promise<RenderedImage> {
    if (this.#closed) return Promise.reject(new Error("the image workers are closed"));
    if (
      this.#waitingForWorker.length > 0 &&
      this.#waitingBytes + file.byteLength > this.#options.maxWaitingBytes
    ) {
      return Promise.reject(new BesedaError("image_busy", { headers: { "retry-after": "5" } }));
    }
    return new Promise<RenderedImage>((resolve, reject) => {
      this.#waitingForWorker.push({ file, resolve, reject });
      this.#waitingBytes += file.byteLength;
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const closed = () => new Error("the image workers are closed");
    for (const job of this.#waitingForWorker.splice(0)) job.reject(closed());
    this.#waitingForMemory.length = 0;
    await Promise.all(
      [...this.#slots].map((slot) => {
        clearTimeout(slot.timer);
        slot.job?.reject(closed());
        slot.job = null;
        return this.#stop(slot);
      }),
    );
  }

  #dispatch(): void {
    while (this.#waitingForWorker.length > 0) {
      const slot = this.#idleSlot();
      if (!slot) return;
      const job = this.#waitingForWorker.shift() as Job;
      this.#waitingBytes -= job.file.byteLength;
      slot.job = job;
      clearTimeout(slot.timer);
      slot.timer = setTimeout(() => this.#timedOut(slot), this.#options.timeoutMs);
      const message: ToImageWorker = {
        type: "inspect",
        blocks: job.file.blocks,
        byteLength: job.file.byteLength,
        memoryBytes: this.#options.memoryBytes,
      };
      // The blocks own their memory (uploaded-file.ts): they move, and are joined in the worker.
      slot.worker.postMessage(
        message,
        job.file.blocks.map((block) => block.buffer as ArrayBuffer),
      );
    }
  }

  #idleSlot(): Slot | undefined {
    for (const slot of this.#slots) if (!slot.job) return slot;
    if (this.#slots.size >= this.#options.workers) return undefined;
    const slot: Slot = {
      worker: startModuleWorker(new URL("./image-worker.ts", import.meta.url), {
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 16 },
      }),
      job: null,
      granted: 0,
      peakBytes: 0,
      replaceAfter: false,
      timer: undefined,
    };
    slot.worker.on("message", (message: FromImageWorker) => this.#answered(slot, message));
    slot.worker.on("error", (error) => this.#died(slot, error));
    slot.worker.on("exit", () => this.#died(slot, new Error("the image worker exited")));
    // An idle pool must not keep the process alive; close() ends the workers.
    slot.worker.unref();
    this.#slots.add(slot);
    return slot;
  }

  #answered(slot: Slot, message: FromImageWorker): void {
    if (message.type !== "inspected") uploadBlocks.giveBack(message.blocks);
    switch (message.type) {
      case "inspected":
        slot.peakBytes = message.peakBytes;
        slot.replaceAfter =
          message.format === "heic" || message.peakBytes > REPLACE_AFTER_PEAK_BYTES;
        this.#waitingForMemory.push(slot);
        this.#grantMemory();
        return;
      case "rendered": {
        const jpegs: Record<string, Buffer> = {};
        for (const [size, jpeg] of Object.entries(message.jpegs)) {
          jpegs[size] = Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
        }
        this.#finish(slot, (job) =>
          job.resolve({ width: message.width, height: message.height, jpegs }),
        );
        return;
      }
      case "refused":
        this.#finish(slot, (job) => job.reject(validationError(message.fields)));
        return;
      case "failed":
        this.#finish(slot, (job) => job.reject(new Error(`image worker: ${message.message}`)));
        return;
    }
  }

  /** Lets waiting decodes start, in order of arrival, while their peaks fit under the cap. */
  #grantMemory(): void {
    for (;;) {
      const next = this.#waitingForMemory[0];
      if (!next || this.#memoryInUse + next.peakBytes > this.#options.memoryBytes) return;
      this.#waitingForMemory.shift();
      next.granted = next.peakBytes;
      this.#memoryInUse += next.granted;
      this.#peakMemoryInUse = Math.max(this.#peakMemoryInUse, this.#memoryInUse);
      const message: ToImageWorker = { type: "render" };
      next.worker.postMessage(message);
    }
  }

  /** Ends the slot's job (answering it with `settle`), returns its memory, and moves on. */
  #finish(slot: Slot, settle: (job: Job) => void): void {
    const job = slot.job;
    clearTimeout(slot.timer);
    slot.job = null;
    this.#memoryInUse -= slot.granted;
    slot.granted = 0;
    const waiting = this.#waitingForMemory.indexOf(slot);
    if (waiting >= 0) this.#waitingForMemory.splice(waiting, 1);
    if (job) settle(job);
    if (slot.replaceAfter && this.#slots.has(slot)) void this.#stop(slot);
    else if (this.#slots.has(slot)) slot.timer = this.#idleTimer(slot);
    this.#grantMemory();
    if (!this.#closed) this.#dispatch();
  }

  #idleTimer(slot: Slot): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (!slot.job) void this.#stop(slot);
    }, this.#options.idleMs);
    timer.unref();
    return timer;
  }

  /** Ends a worker that is no longer wanted; what it says from now on is not listened to. */
  #stop(slot: Slot): Promise<number> {
    clearTimeout(slot.timer);
    this.#slots.delete(slot);
    slot.worker.removeAllListeners();
    slot.worker.on("error", () => {});
    return slot.worker.terminate();
  }

  #timedOut(slot: Slot): void {
    slot.replaceAfter = true;
    const seconds = this.#options.timeoutMs / 1000;
    this.#finish(slot, (job) => job.reject(refusal(`could not be decoded within ${seconds} s`)));
  }

  /** A worker that died: out of its heap (the upload is refused), or a fault (a 500). */
  #died(slot: Slot, error: Error): void {
    if (!this.#slots.has(slot)) return;
    slot.replaceAfter = true;
    const outOfMemory = (error as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY";
    if (!outOfMemory && slot.job) this.#options.onError(error);
    this.#finish(slot, (job) =>
      job.reject(
        outOfMemory ? refusal("needs more memory to decode than the server allows") : error,
      ),
    );
  }
}
