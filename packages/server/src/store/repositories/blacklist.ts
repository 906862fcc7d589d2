// Who each account has blacklisted: those users can no longer write to it.
import { type Insertable, type Selectable, sql } from "kysely";
import { precompiled } from "../precompiled.ts";
import { num, numOrNull } from "../records.ts";
import type { BlacklistTable } from "../schema.ts";
import type { Db } from "../store.ts";

export interface BlacklistEntry {
  userId: number;
  blockedUserId: number;
  reasonId: number | null;
  itemId: number | null;
  created: number;
}

function toEntry(row: Selectable<BlacklistTable>): BlacklistEntry {
  return {
    userId: num(row.user_id),
    blockedUserId: num(row.blocked_user_id),
    reasonId: row.reason_id,
    itemId: numOrNull(row.item_id),
    created: num(row.created),
  };
}

/** The row of an entry: the inverse of toEntry. */
export function blacklistRow(entry: BlacklistEntry): Insertable<BlacklistTable> {
  return {
    user_id: entry.userId,
    blocked_user_id: entry.blockedUserId,
    reason_id: entry.reasonId,
    item_id: entry.itemId,
    created: entry.created,
  };
}

/** Adds or refreshes entries; blacklisting someone twice keeps one row with the latest reason. */
export async function upsertBlacklist(db: Db, entries: readonly BlacklistEntry[]): Promise<void> {
  for (const entry of entries) {
    await db
      .insertInto("blacklist")
      .values(blacklistRow(entry))
      .onConflict((oc) =>
        oc.columns(["user_id", "blocked_user_id"]).doUpdateSet({
          reason_id: entry.reasonId,
          item_id: entry.itemId,
        }),
      )
      .execute();
  }
}

/** Has any other member of the chat blacklisted `authorId`? */
export async function isBlockedInChat(db: Db, chatId: string, authorId: number): Promise<boolean> {
  const { rows } = await blockedInChat(db, { chatId, authorId });
  return rows.length > 0;
}

const blockedInChat = precompiled(["chatId", "authorId"], (db, v) =>
  db
    .selectFrom("chat_member")
    .innerJoin("blacklist", (join) =>
      join
        .onRef("blacklist.user_id", "=", "chat_member.user_id")
        .on("blacklist.blocked_user_id", "=", v.authorId),
    )
    .select("blacklist.user_id")
    .where("chat_member.chat_id", "=", v.chatId)
    .where("chat_member.user_id", "!=", v.authorId)
    .limit(sql.lit(1)),
);

/** Whom one account has blacklisted, oldest first. */
export async function blacklistOfAccount(db: Db, userId: number): Promise<BlacklistEntry[]> {
  const rows = await db
    .selectFrom("blacklist")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("created")
    .orderBy("blocked_user_id")
    .execute();
  return rows.map(toEntry);
}

/** Every entry, by account and blocked account: the sandbox's export. */
export async function allBlacklistEntries(db: Db): Promise<BlacklistEntry[]> {
  const rows = await db
    .selectFrom("blacklist")
    .selectAll()
    .orderBy("user_id")
    .orderBy("blocked_user_id")
    .execute();
  return rows.map(toEntry);
}
