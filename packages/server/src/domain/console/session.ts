// The console's sign-in. Typing the admin token into the console's form starts a session: a random
// id in a cookie, stored (hashed) in the store, so that any node knows it and signing out ends it
// for whoever holds a copy of the cookie. A session lasts twelve hours of real time (advancing the
// sandbox clock must not sign the console out) and dies with a new admin token.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { BesedaError } from "../../errors/beseda-error.ts";
import {
  deleteConsoleSession,
  deleteExpiredConsoleSessions,
  findConsoleSession,
  insertConsoleSession,
} from "../../store/repositories/console-sessions.ts";
import type { Db } from "../../store/store.ts";
import { sha256Hex } from "../ids.ts";

export const CONSOLE_COOKIE = "beseda_console";
export const CONSOLE_SESSION_SECONDS = 12 * 60 * 60;

/** Whether `given` is the admin token, compared in constant time whatever its length. */
export function isAdminToken(adminToken: string, given: string | null): boolean {
  if (!given) return false;
  const expected = Buffer.from(sha256Hex(adminToken), "hex");
  return timingSafeEqual(Buffer.from(sha256Hex(given), "hex"), expected);
}

export interface ConsoleSession {
  /** The cookie's value. */
  value: string;
  /** Unix seconds, real time. */
  expires: number;
}

/** Starts a session for the holder of the admin token; 401 for anything else. */
export async function startConsoleSession(
  db: Db,
  adminToken: string,
  given: string,
  realNowMs: number,
): Promise<ConsoleSession> {
  if (!isAdminToken(adminToken, given)) throw new BesedaError("admin_token_invalid");
  // Not the seeded random source: a session is the server's, never part of a reproducible world.
  const value = randomBytes(32).toString("base64url");
  const expiresMs = realNowMs + CONSOLE_SESSION_SECONDS * 1000;
  await deleteExpiredConsoleSessions(db, realNowMs);
  await insertConsoleSession(db, {
    idHash: sha256Hex(value),
    adminHash: sha256Hex(adminToken),
    createdMs: realNowMs,
    expiresMs,
  });
  return { value, expires: Math.floor(expiresMs / 1000) };
}

/** The session's expiry (unix seconds) when `value` names a live session, else null. */
export async function consoleSessionExpiry(
  db: Db,
  adminToken: string,
  value: string | null,
  realNowMs: number,
): Promise<number | null> {
  if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) return null;
  const session = await findConsoleSession(db, sha256Hex(value));
  if (!session || session.expiresMs <= realNowMs) return null;
  if (session.adminHash !== sha256Hex(adminToken)) return null;
  return Math.floor(session.expiresMs / 1000);
}

/** Ends the session `value` names, if any. */
export async function endConsoleSession(db: Db, value: string | null): Promise<void> {
  if (value) await deleteConsoleSession(db, sha256Hex(value));
}
