// Signed, expiring links: HMAC-SHA256 of the path and the expiry, keyed with a secret kept in the
// data dir. Checked in constant time; the expiry is read on the sandbox clock.
import { createHmac, timingSafeEqual } from "node:crypto";

export function signature(key: Buffer, path: string, expires: number): string {
  return createHmac("sha256", key).update(`${path}\n${expires}`).digest("hex");
}

export function signatureMatches(
  key: Buffer,
  path: string,
  expires: number,
  given: string,
): boolean {
  const expected = Buffer.from(signature(key, path, expires), "hex");
  const actual = Buffer.from(/^[0-9a-f]{64}$/.test(given) ? given : "", "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
