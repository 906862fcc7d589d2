// The token faults of the sandbox: expire every access token of an account now (its refresh tokens
// keep working, which is how a client's refresh path is tested without moving the clock), and
// revoke one refresh token (the refresh grant then refuses it as it refuses a reused one).
import { BesedaError, validationError } from "../../errors/beseda-error.ts";
import { findAccount } from "../../store/repositories/accounts.ts";
import { expireAccessTokens, findToken, useToken } from "../../store/repositories/tokens.ts";
import { stampVersion } from "../cluster/cluster-sync.ts";
import type { DomainContext } from "../context.ts";
import { sha256Hex } from "../ids.ts";

export async function expireAccountTokens(
  ctx: DomainContext,
  userId: number,
): Promise<{ user_id: number; expired: number }> {
  const now = ctx.clock.now();
  let version: string | undefined;
  const expired = await ctx.store.transaction(async (db) => {
    if (!(await findAccount(db, userId))) throw new BesedaError("account_not_found");
    version = await stampVersion(ctx.store, db, "grants");
    return expireAccessTokens(db, userId, now);
  });
  // This node's copies of those grants carry the old expiry; the other nodes drop theirs.
  ctx.caches.accessGrants.deleteWhere((grant) => grant.userId === userId);
  ctx.cluster.changed("grants", version);
  return { user_id: userId, expired };
}

export async function revokeRefreshToken(
  ctx: DomainContext,
  refreshToken: string,
): Promise<{ user_id: number; client_id: string; revoked: true; already_used: boolean }> {
  return ctx.store.transaction(async (db) => {
    const token = await findToken(db, sha256Hex(refreshToken));
    if (token?.kind !== "refresh") {
      throw validationError({ refresh_token: "is not a refresh token this server issued" });
    }
    // Marked used: the refresh grant answers it as it answers a reused one.
    const revokedNow = await useToken(db, token.tokenHash, ctx.clock.now());
    return {
      user_id: token.userId,
      client_id: token.clientId,
      revoked: true,
      already_used: !revokedNow,
    };
  });
}
