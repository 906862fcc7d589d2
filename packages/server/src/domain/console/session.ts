// The console's sign-in. Typing the admin token into the console's form earns a cookie that proves
// it for twelve hours. Nothing is stored: the cookie carries its expiry and an HMAC keyed by the
// admin token, so any node checks it with the token alone, and a new admin token voids every
// cookie. Expiry counts in real time: advancing the sandbox clock must not sign the console out.
import { createHmac, timingSafeEqual } from "node:crypto";
import { sha256Hex } from "../ids.ts";

export const CONSOLE_COOKIE = "beseda_console";
export const CONSOLE_SESSION_SECONDS = 12 * 60 * 60;

/** Whether `given` is the admin token, compared in constant time whatever its length. */
export function isAdminToken(adminToken: string, given: string | null): boolean {
  if (!given) return false;
  const expected = Buffer.from(sha256Hex(adminToken), "hex");
  return timingSafeEqual(Buffer.from(sha256Hex(given), "hex"), expected);
}

function signature(adminToken: string, expires: number): Buffer {
  return createHmac("sha256", `beseda console session\0${adminToken}`)
    .update(`v1.${expires}`)
    .digest();
}

export interface ConsoleSession {
  value: string;
  /** Unix seconds, real time. */
  expires: number;
}

export function issueConsoleSession(adminToken: string, realNowMs: number): ConsoleSession {
  const expires = Math.floor(realNowMs / 1000) + CONSOLE_SESSION_SECONDS;
  const value = `v1.${expires}.${signature(adminToken, expires).toString("base64url")}`;
  return { value, expires };
}

/** The session's expiry (unix seconds) when `value` is a live session, else null. */
export function consoleSessionExpiry(
  adminToken: string,
  value: string | null,
  realNowMs: number,
): number | null {
  const match = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!match?.[1] || !match[2]) return null;
  const expires = Number(match[1]);
  if (expires * 1000 <= realNowMs) return null;
  const given = Buffer.from(match[2], "base64url");
  return timingSafeEqual(given, signature(adminToken, expires)) ? expires : null;
}
