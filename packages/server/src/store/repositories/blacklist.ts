// Who each account has blacklisted: those users can no longer write to it.
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

/** Has any of `ownerIds` blacklisted `authorId`? */
export async function isBlockedByAny(
  db: Db,
  ownerIds: readonly number[],
  authorId: number,
): Promise<boolean> {
  if (ownerIds.length === 0) return false;
  const row = await db
    .selectFrom("blacklist")
    .select("user_id")
    .where("user_id", "in", ownerIds)
    .where("blocked_user_id", "=", authorId)
    .executeTakeFirst();
  return row !== undefined;
}
