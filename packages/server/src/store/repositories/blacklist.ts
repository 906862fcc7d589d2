// Who each account has blacklisted: those users can no longer write to it.
import { sql } from "kysely";
import { precompiled } from "../precompiled.ts";
import type { Db } from "../store.ts";

export interface BlacklistEntry {
  userId: number;
  blockedUserId: number;
  reasonId: number | null;
  itemId: number | null;
  created: number;
}

/** Adds or refreshes entries; blacklisting someone twice keeps one row with the latest reason. */
export async function upsertBlacklist(db: Db, entries: readonly BlacklistEntry[]): Promise<void> {
  for (const entry of entries) {
    await db
      .insertInto("blacklist")
      .values({
        user_id: entry.userId,
        blocked_user_id: entry.blockedUserId,
        reason_id: entry.reasonId,
        item_id: entry.itemId,
        created: entry.created,
      })
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
