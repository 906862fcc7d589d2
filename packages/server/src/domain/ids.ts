// Identifiers shaped like production's (WIRE-NOTES, "Identifiers and values"), and the secrets
// and token hashes of the auth flows. Every one is drawn from the random source it is given
// (ctx.random: the system's generator, or a seeded one under BESEDA_RANDOM_SEED).
import { createHash } from "node:crypto";
import type { ChatType } from "../store/records.ts";
import type { RandomSource } from "./random.ts";

/** 8 to 10 digits, like production's user ids. */
export function newUserId(random: RandomSource): number {
  return random.int(10_000_000, 10_000_000_000);
}

/** Above 2^31, as production's item ids are (the document's int32 is wrong). */
export function newItemId(random: RandomSource): number {
  return random.int(3_000_000_000, 10_000_000_000);
}

/** "u2i-" and 22 characters of URL-safe base64 in which "~" stands for "-", as production's. */
export function newChatId(random: RandomSource, type: ChatType): string {
  return `${type}-${random.bytes(16).toString("base64url").replaceAll("-", "~")}`;
}

/** 32 lowercase hex characters. */
export function newMessageId(random: RandomSource): string {
  return random.hex(16);
}

/** "<digits>.<32 hex>", like production's 44540672315.96c51d74166f41d8b6cca4dbcaabf245. */
export function newImageId(random: RandomSource): string {
  return `${random.int(10_000_000_000, 100_000_000_000)}.${random.hex(16)}`;
}

/** 32 lowercase hex characters. */
export function newVoiceId(random: RandomSource): string {
  return random.hex(16);
}

export function newProfileKey(random: RandomSource): string {
  return random.hex(16);
}

export function newClientId(random: RandomSource): string {
  return random.bytes(15).toString("base64url").replaceAll(/[-_]/g, "x");
}

/** Opaque secrets and tokens: 32 random bytes, URL-safe. */
export function newSecret(random: RandomSource): string {
  return random.bytes(32).toString("base64url");
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
