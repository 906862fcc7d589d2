// postBlacklistV2: the account blacklists users, who from then on cannot write to it (their
// messages are refused, in the sandbox and through the API alike). The sandbox reads the list
// back (production has no such read), so that a test can check its bot blacklisted someone.
import { validationError } from "../errors/beseda-error.ts";
import { findAccounts } from "../store/repositories/accounts.ts";
import { blacklistOfAccount, upsertBlacklist } from "../store/repositories/blacklist.ts";
import { findItems } from "../store/repositories/items.ts";
import { requireAccount } from "./accounts.ts";
import type { DomainContext } from "./context.ts";

export interface BlacklistRequest {
  users: { user_id: number; context?: { item_id?: number; reason_id?: number } }[];
}

export async function addToBlacklist(
  ctx: DomainContext,
  userId: number,
  request: BlacklistRequest,
): Promise<Record<string, never>> {
  await ctx.store.transaction(async (db) => {
    const userIds = request.users.map((u) => u.user_id);
    const itemIds = request.users.flatMap((u) =>
      u.context?.item_id === undefined ? [] : [u.context.item_id],
    );
    const known = new Set((await findAccounts(db, userIds)).map((a) => a.id));
    const knownItems = new Set((await findItems(db, itemIds)).map((i) => i.id));
    const problems: Record<string, string> = {};
    request.users.forEach((user, index) => {
      if (user.user_id === userId)
        problems[`users[${index}].user_id`] = "cannot blacklist yourself";
      else if (!known.has(user.user_id)) problems[`users[${index}].user_id`] = "user not found";
      const itemId = user.context?.item_id;
      if (itemId !== undefined && !knownItems.has(itemId)) {
        problems[`users[${index}].context.item_id`] = "item not found";
      }
    });
    if (request.users.length === 0) problems.users = "must list at least one user";
    if (Object.keys(problems).length > 0) throw validationError(problems);
    const now = ctx.clock.now();
    await upsertBlacklist(
      db,
      request.users.map((user) => ({
        userId,
        blockedUserId: user.user_id,
        reasonId: user.context?.reason_id ?? null,
        itemId: user.context?.item_id ?? null,
        created: now,
      })),
    );
  });
  return {};
}

export interface BlacklistedUser {
  user_id: number;
  reason_id: number | null;
  item_id: number | null;
  /** Unix seconds of the sandbox clock: when it was first blacklisted. */
  created: number;
}

/** GET /sandbox/v1/accounts/{user_id}/blacklist: whom the account blacklisted, oldest first. */
export async function listBlacklist(
  ctx: DomainContext,
  userId: number,
): Promise<{ users: BlacklistedUser[] }> {
  const db = ctx.store.db;
  await requireAccount(db, userId);
  const entries = await blacklistOfAccount(db, userId);
  return {
    users: entries.map((entry) => ({
      user_id: entry.blockedUserId,
      reason_id: entry.reasonId,
      item_id: entry.itemId,
      created: entry.created,
    })),
  };
}
