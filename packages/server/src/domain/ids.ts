// Identifiers shaped like production's (WIRE-NOTES, "Identifiers and values"), and the secrets
// and token hashes of the auth flows.
import { createHash, randomBytes, randomInt } from "node:crypto";
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

/** 32 lowercase hex characters. */
export function newMessageId(): string {
  return randomBytes(16).toString("hex");
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
