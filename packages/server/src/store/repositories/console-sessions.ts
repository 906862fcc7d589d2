// The console's sign-ins (see the console-sessions migration).
import type { Selectable } from "kysely";
import { num } from "../records.ts";
import type { ConsoleSessionTable } from "../schema.ts";
import type { Db } from "../store.ts";

export interface ConsoleSessionRow {
  idHash: string;
  adminHash: string;
  createdMs: number;
  expiresMs: number;
}

function toRow(row: Selectable<ConsoleSessionTable>): ConsoleSessionRow {
  return {
    idHash: row.id_hash,
    adminHash: row.admin_hash,
    createdMs: num(row.created_ms),
    expiresMs: num(row.expires_ms),
  };
}

export async function insertConsoleSession(db: Db, session: ConsoleSessionRow): Promise<void> {
  await db
    .insertInto("console_session")
    .values({
      id_hash: session.idHash,
      admin_hash: session.adminHash,
      created_ms: session.createdMs,
      expires_ms: session.expiresMs,
    })
    .execute();
}

export async function findConsoleSession(
  db: Db,
  idHash: string,
): Promise<ConsoleSessionRow | undefined> {
  const row = await db
    .selectFrom("console_session")
    .selectAll()
    .where("id_hash", "=", idHash)
    .executeTakeFirst();
  return row && toRow(row);
}

export async function deleteConsoleSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom("console_session").where("id_hash", "=", idHash).execute();
}

/** Forgets the sessions that ended before `nowMs`. */
export async function deleteExpiredConsoleSessions(db: Db, nowMs: number): Promise<void> {
  await db.deleteFrom("console_session").where("expires_ms", "<=", nowMs).execute();
}
