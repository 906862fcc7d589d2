// Apps: every account's client_id is an app, which may register the redirect URIs the consent
// page sends its users back to. A URI is kept exactly as given and later compared as a string
// (RFC 6749, section 3.1.2.3), so what is registered is what the app must send.
import { validationError } from "../../errors/beseda-error.ts";
import type { Account } from "../../store/records.ts";
import { replaceRedirectUris } from "../../store/repositories/redirect-uris.ts";
import {
  type AccountCredentials,
  credentialsOf,
  insertNewAccount,
  requireAccount,
} from "../accounts.ts";
import type { DomainContext } from "../context.ts";

export const MAX_REDIRECT_URIS = 20;
export const MAX_REDIRECT_URI_LENGTH = 2000;

/** An account as the sandbox answers it once it is an app: its credentials and redirect URIs. */
export interface AppView extends AccountCredentials {
  redirect_uris: string[];
}

export function appOf(account: Account, redirectUris: readonly string[]): AppView {
  return { ...credentialsOf(account), redirect_uris: [...redirectUris] };
}

/** Why a URI cannot be registered, or null. */
function redirectUriProblem(uri: string): string | null {
  // Browsers percent-encode everything else; a space or a non-ASCII letter registered as it is
  // would never equal what arrives.
  if (!/^[\x21-\x7e]+$/.test(uri)) {
    return "must be printable ASCII without spaces (percent-encode the rest)";
  }
  if (!/^https?:\/\//i.test(uri)) return "must be an absolute http:// or https:// URL";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "is not a valid URL";
  }
  if (url.hostname === "") return "has no host";
  if (uri.includes("#")) return "must not hold a fragment (RFC 6749, section 3.1.2)";
  return null;
}

/** A 400 naming redirect_uris[i] for the first URI that cannot be registered. */
export function checkRedirectUris(uris: readonly string[]): void {
  const fields: Record<string, string> = {};
  uris.forEach((uri, index) => {
    const problem =
      redirectUriProblem(uri) ?? (uris.indexOf(uri) < index ? "is listed twice" : null);
    if (problem) fields[`redirect_uris[${index}]`] = problem;
  });
  if (uris.length > MAX_REDIRECT_URIS) {
    fields.redirect_uris = `must hold at most ${MAX_REDIRECT_URIS} URIs`;
  }
  if (Object.keys(fields).length > 0) throw validationError(fields);
}

/** POST /sandbox/v1/accounts: a new account, its app registered with these redirect URIs. */
export async function createAccountWithApp(
  ctx: DomainContext,
  name: string,
  redirectUris: readonly string[],
): Promise<AppView> {
  checkRedirectUris(redirectUris);
  return ctx.store.transaction(async (db) => {
    const account = await insertNewAccount(ctx, db, name);
    await replaceRedirectUris(db, account.id, redirectUris);
    return appOf(account, redirectUris);
  });
}

/** Replaces the redirect URIs an account's app registered; 404 for an unknown account. */
export async function setRedirectUris(
  ctx: DomainContext,
  userId: number,
  redirectUris: readonly string[],
): Promise<AppView> {
  checkRedirectUris(redirectUris);
  return ctx.store.transaction(async (db) => {
    const account = await requireAccount(db, userId);
    await replaceRedirectUris(db, userId, redirectUris);
    return appOf(account, redirectUris);
  });
}
