// getUserInfoSelf (Avito's user API, GET /core/v1/accounts/self): who the token acts for. Most
// bots ask it first, for their own user_id. Sandbox accounts have no e-mail or phone of their own:
// both are derived from the user id, in ranges that reach nobody (README, "What differs").
import { requireAccount } from "../accounts.ts";
import type { DomainContext } from "../context.ts";

export interface UserInfoSelf {
  id: number;
  name: string;
  email: string;
  phone: string;
  phones: string[];
  profile_url: string;
}

/** example.com is reserved for examples (RFC 2606): mail to it goes nowhere. */
export function sandboxEmail(userId: number): string {
  return `user${userId}@example.com`;
}

/**
 * 11 digits like production's "71112223344", but +7 0xx: no Russian number starts with 0 after
 * the country code, so the sandbox never hands out a number a real person answers.
 */
export function sandboxPhone(userId: number): string {
  return `7000${String(userId % 10_000_000).padStart(7, "0")}`;
}

export async function userInfoSelf(ctx: DomainContext, userId: number): Promise<UserInfoSelf> {
  const account = await requireAccount(ctx.store.db, userId);
  const phone = sandboxPhone(account.id);
  return {
    id: account.id,
    name: account.name,
    email: sandboxEmail(account.id),
    phone,
    phones: [phone],
    profile_url: ctx.urls.profile(account.profileKey),
  };
}
