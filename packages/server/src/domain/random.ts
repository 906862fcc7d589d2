// The one source of randomness behind every id and secret the server makes (domain/ids.ts): the
// system's generator by default, or, with BESEDA_RANDOM_SEED, a seeded generator, so that a server
// started the same way makes the same ids and credentials every time and tests can hard-code
// them. A seeded server's secrets are predictable: it is for tests, never for the internet.
//
// A seed names many streams. A server draws from stream 0 on an empty store, and from a later one
// whenever the store already holds ids made by earlier streams (a restart, an import): new ids
// then never repeat the ones already there (domain/sandbox/random-stream.ts keeps the count).
import { randomBytes, randomFillSync, randomInt, randomUUID } from "node:crypto";
import { SeedRandom } from "./seed-random.ts";

export interface RandomSource {
  /** The seed, or null for the system's generator. */
  readonly seed: number | null;
  bytes(n: number): Buffer;
  /** An integer in [min, max). */
  int(min: number, max: number): number;
  /** `bytes` random bytes as lowercase hex. */
  hex(bytes: number): string;
  /** A version 4 UUID. */
  uuid(): string;
  /** Seeded: draws from the start of stream `stream` of the seed from now on. Else nothing. */
  useStream(stream: number): void;
}

/** The system's generator (crypto). */
export function cryptoRandom(): RandomSource {
  // Bytes for ids written on every send, drawn from a pool refilled 4 KB at a time (as
  // crypto.randomUUID does): one call into the system's generator per 256 ids instead of one each.
  const pool = Buffer.alloc(4096);
  let used = pool.length;
  return {
    seed: null,
    bytes: (n) => randomBytes(n),
    int: (min, max) => randomInt(min, max),
    hex: (bytes) => {
      if (bytes > pool.length) return randomBytes(bytes).toString("hex");
      if (used + bytes > pool.length) {
        randomFillSync(pool);
        used = 0;
      }
      const hex = pool.toString("hex", used, used + bytes);
      used += bytes;
      return hex;
    },
    uuid: () => randomUUID(),
    useStream: () => {},
  };
}

/** A seeded generator (sfc32, domain/seed-random.ts): the same seed and stream, the same draws. */
export function seededRandom(seed: number): RandomSource {
  let generator = new SeedRandom(seed);
  return {
    seed,
    bytes: (n) => generator.bytes(n),
    int: (min, max) => generator.between(min, max),
    hex: (bytes) => generator.bytes(bytes).toString("hex"),
    uuid: () => {
      const bytes = generator.bytes(16);
      bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
      bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
      const hex = bytes.toString("hex");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
    useStream: (stream) => {
      generator = new SeedRandom(seed, stream);
    },
  };
}
