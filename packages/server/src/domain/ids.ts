// Identifiers shaped like production's (WIRE-NOTES, "Identifiers and values"), and the secrets
// and token hashes of the auth flows.
import { createHash, randomBytes, randomFillSync, randomInt } from "node:crypto";
import type { ChatType } from "../store/records.ts";

/** 8 to 10 digits, like production's user ids. */
export function newUserId(): number {
  return randomInt(10_000_000, 10_000_000_000);
}

/** Above 2^31, as production's item ids are (the document's int32 is wrong). */
export function newItemId(): number {
  return randomInt(3_000_000_000, 10_000_000_000);
}

/** "u2i-" and 22 characters of URL-safe base64 in which "~" stands for "-", as production's. */
export function newChatId(type: ChatType): string {
  return `${type}-${randomBytes(16).toString("base64url").replaceAll("-", "~")}`;
}

/**
 * Random bytes for ids written on every send, drawn from a pool refilled 4 KB at a time (as
 * crypto.randomUUID does): one call into the system's generator per 256 ids instead of one each.
 */
const idEntropy = Buffer.alloc(4096);
let idEntropyUsed = idEntropy.length;

function pooledRandomHex(bytes: number): string {
  if (idEntropyUsed + bytes > idEntropy.length) {
    randomFillSync(idEntropy);
    idEntropyUsed = 0;
  }
  const hex = idEntropy.toString("hex", idEntropyUsed, idEntropyUsed + bytes);
  idEntropyUsed += bytes;
  return hex;
}

/** 32 lowercase hex characters. */
export function newMessageId(): string {
  return pooledRandomHex(16);
}

export function newProfileKey(): string {
  return randomBytes(16).toString("hex");
}

export function newClientId(): string {
  return randomBytes(15).toString("base64url").replaceAll(/[-_]/g, "x");
}

/** Opaque secrets and tokens: 32 random bytes, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
