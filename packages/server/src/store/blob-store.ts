// Where media bytes live: a small interface so that an S3-compatible store can replace the local
// disk later. Blobs are content-addressed (the key is the SHA-256 of the bytes), so the same bytes
// are stored once and a key never changes meaning.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";

export interface BlobStore {
  /**
   * Stores the bytes durably (they survive a crash once this resolves); returns their key. A caller
   * that hashed the bytes as they arrived passes their SHA-256, which is the key.
   */
  put(data: Uint8Array, sha256?: string): Promise<string>;
  /** The blob's size in bytes, or null when there is no such blob. */
  size(key: string): Promise<number | null>;
  /** The blob's bytes from `start` to `end` inclusive (the whole blob without a range). */
  read(key: string, range?: { start: number; end: number }): Readable;
}

const KEY = /^[0-9a-f]{64}$/;

export function blobKeyOf(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Blobs as files under `root`, fanned out by the key's first bytes. */
export class LocalDiskBlobStore implements BlobStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  #path(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a blob key: ${key}`);
    return join(this.#root, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(data: Uint8Array, sha256 = blobKeyOf(data)): Promise<string> {
    const key = sha256;
    const path = this.#path(key);
    if ((await this.size(key)) === data.byteLength) return key;
    await mkdir(dirname(path), { recursive: true });
    // Write aside, fsync, then rename: a crash leaves either no blob or the whole blob.
    const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    const file = await open(temporary, "w", 0o644);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    const directory = await open(dirname(path), "r");
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    return key;
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await stat(this.#path(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.#path(key), range);
  }
}
