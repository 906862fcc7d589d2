// Authorization codes: what a user's consent gives an app, to exchange once at /token within 10
// minutes of the sandbox clock. A code issued for a redirect_uri the request named is bound to it:
// the exchange must name the same one (RFC 6749, section 4.1.3). Codes are stored as SHA-256 only.
import { BesedaError, validationError } from "../../errors/beseda-error.ts";
import { findAccount, findAccountByClientId } from "../../store/repositories/accounts.ts";
import { findRedirectUris } from "../../store/repositories/redirect-uris.ts";
import { insertAuthorizationCode } from "../../store/repositories/tokens.ts";
import type { Db } from "../../store/store.ts";
import type { DomainContext } from "../context.ts";
import { newSecret, sha256Hex } from "../ids.ts";
import { parseScopes } from "./scopes.ts";

export const MESSENGER_SCOPES = ["messenger:read", "messenger:write"] as const;

/** Authorization codes are short-lived, as in every OAuth server. */
export const AUTHORIZATION_CODE_TTL_SECONDS = 600;

export interface IssuedCode {
  code: string;
  expires_in: number;
}

export interface CodeGrant {
  clientId: string;
  userId: number;
  scopes: readonly string[];
  /** The redirect_uri the authorization request named, which the exchange must repeat; or null. */
  redirectUri: string | null;
}

/** A 400 naming `field` unless `uri` is one of the app's registered redirect URIs. */
export function requireRegisteredRedirectUri(
  registered: readonly string[],
  uri: string,
  field = "redirect_uri",
): void {
  if (registered.includes(uri)) return;
  throw validationError(
    {
      [field]:
        registered.length === 0
          ? "the app has no registered redirect URI"
          : `is not one of the app's registered redirect URIs (${registered.join(", ")})`,
    },
    "The redirect_uri is not registered for this app",
  );
}

/** Stores a new code for a grant already checked; inside the caller's transaction. */
export async function insertNewAuthorizationCode(
  ctx: DomainContext,
  db: Db,
  grant: CodeGrant,
): Promise<IssuedCode> {
  const code = newSecret(ctx.random);
  const now = ctx.clock.now();
  await insertAuthorizationCode(db, {
    codeHash: sha256Hex(code),
    clientId: grant.clientId,
    userId: grant.userId,
    scope: grant.scopes.join(","),
    redirectUri: grant.redirectUri,
    created: now,
    expiresAt: now + AUTHORIZATION_CODE_TTL_SECONDS,
    usedAt: null,
  });
  return { code, expires_in: AUTHORIZATION_CODE_TTL_SECONDS };
}

export interface SandboxCodeRequest {
  clientId: string;
  userId: number;
  /** Comma-separated; null: both messenger scopes. */
  scope: string | null;
  redirectUri: string | null;
}

/**
 * POST /sandbox/v1/authorization-codes: the consent page's outcome without the page. The same
 * rules hold: known scopes only, and a redirect_uri, when named, registered by the app and bound
 * to the code.
 */
export async function createAuthorizationCode(
  ctx: DomainContext,
  request: SandboxCodeRequest,
): Promise<IssuedCode> {
  const scopes =
    request.scope === null
      ? [...MESSENGER_SCOPES]
      : parseScopes(request.scope, "scope").map((s) => s.scope);
  return ctx.store.transaction(async (db) => {
    const app = await findAccountByClientId(db, request.clientId);
    if (!app) throw new BesedaError("account_not_found", { message: "Unknown client_id" });
    if (request.redirectUri !== null) {
      requireRegisteredRedirectUri(await findRedirectUris(db, app.id), request.redirectUri);
    }
    if (!(await findAccount(db, request.userId))) throw new BesedaError("account_not_found");
    return insertNewAuthorizationCode(ctx, db, {
      clientId: app.clientId,
      userId: request.userId,
      scopes,
      redirectUri: request.redirectUri,
    });
  });
}
