// The seeded randomness of the data generator: sfc32 (128 bits of state, so ids drawn from it do
// not repeat the way a 32-bit generator's could), seeded through splitmix32, and the id shapes of
// domain/ids.ts drawn from it instead of from the system's random source.
import type { ChatType } from "../store/records.ts";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export class SeedRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * `stream` picks one of many independent sequences of the same seed; stream 0 is the seed's
   * own (what `beseda seed` has always drawn).
   */
  constructor(seed: number, stream = 0) {
    let s = seed >>> 0;
    const splitmix = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    if (stream !== 0) {
      s = (stream >>> 0) ^ 0x5bd1e995;
      this.a ^= splitmix();
      this.c ^= splitmix();
    }
    for (let i = 0; i < 16; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** [0, 1) with 32 bits. */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** [0, 1) with 53 bits. */
  float53(): number {
    return ((this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6)) / 9007199254740992;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((n > 4294967296 ? this.float53() : this.float()) * n);
  }

  /** An integer in [min, max). */
  between(min: number, max: number): number {
    return min + this.int(max - min);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(values: readonly T[]): T {
    const value = values[this.int(values.length)];
    if (value === undefined) throw new Error("pick from an empty list");
    return value;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) {
      const word = this.uint32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** 32 lowercase hex characters (16 bytes), like message ids and profile keys. */
  hex32(): string {
    let text = "";
    for (let i = 0; i < 4; i++) {
      const w = this.uint32();
      text +=
        (HEX[w >>> 24] as string) +
        (HEX[(w >>> 16) & 0xff] as string) +
        (HEX[(w >>> 8) & 0xff] as string) +
        (HEX[w & 0xff] as string);
    }
    return text;
  }

  /** Shuffles in place (Fisher–Yates) and returns the same list. */
  shuffle<T, L extends { [index: number]: T; length: number }>(values: L): L {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i] as T;
      values[i] = values[j] as T;
      values[j] = tmp;
    }
    return values;
  }
}

/** The shapes of domain/ids.ts, drawn from a SeedRandom. */
export const seededIds = {
  /** 8 to 10 digits. */
  userId: (r: SeedRandom) => r.between(10_000_000, 10_000_000_000),
  /** Above 2^31, below 10^10: safe in JSON and in a 64-bit column. */
  itemId: (r: SeedRandom) => r.between(3_000_000_000, 10_000_000_000),
  chatId: (r: SeedRandom, type: ChatType) =>
    `${type}-${r.bytes(16).toString("base64url").replaceAll("-", "~")}`,
  messageId: (r: SeedRandom) => r.hex32(),
  profileKey: (r: SeedRandom) => r.hex32(),
  clientId: (r: SeedRandom) => r.bytes(15).toString("base64url").replaceAll(/[-_]/g, "x"),
  secret: (r: SeedRandom) => r.bytes(32).toString("base64url"),
};
