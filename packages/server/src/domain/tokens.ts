// OAuth tokens as production issues them: client_credentials gives a personal token with every
// scope; authorization_code gives a token for the user who granted it, limited to the granted
// scopes, plus a single-use refresh token. Tokens are opaque and stored only as SHA-256. Codes
// are issued in ./oauth/ (the consent page and the sandbox).
import { timingSafeEqual } from "node:crypto";
import { BesedaError } from "../errors/beseda-error.ts";
import type { Account, GrantType } from "../store/records.ts";
import { findAccountByClientId } from "../store/repositories/accounts.ts";
import {
  findAuthorizationCode,
  findToken,
  insertToken,
  useAuthorizationCode,
  useToken,
} from "../store/repositories/tokens.ts";
import type { Db } from "../store/store.ts";
import type { DomainContext } from "./context.ts";
import { newSecret, sha256Hex } from "./ids.ts";

export type Scope = string;

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: "Bearer";
  refresh_token?: string;
  scope?: string;
}

export type TokenRequest =
  | { grant_type: "client_credentials"; client_id: string; client_secret: string }
  | {
      grant_type: "authorization_code";
      client_id: string;
      client_secret: string;
      code: string;
      /** Must repeat the code's redirect_uri when its authorization request named one. */
      redirect_uri: string | null;
    }
  | {
      grant_type: "refresh_token";
      client_id: string;
      client_secret: string;
      refresh_token: string;
    };

/** Who a bearer token acts for; scopes null: a personal token, allowed everything. */
export interface Principal {
  userId: number;
  scopes: readonly Scope[] | null;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(sha256Hex(given), "hex");
  const b = Buffer.from(sha256Hex(expected), "hex");
  return timingSafeEqual(a, b);
}

async function authenticateClient(db: Db, clientId: string, secret: string): Promise<Account> {
  const account = await findAccountByClientId(db, clientId);
  if (!account || !sameSecret(secret, account.clientSecret)) {
    throw new BesedaError("oauth_invalid_client");
  }
  return account;
}

async function issue(
  ctx: DomainContext,
  db: Db,
  grant: { userId: number; clientId: string; grantType: GrantType; scope: string | null },
  withRefresh: boolean,
): Promise<TokenResponse> {
  const now = ctx.clock.now();
  const accessToken = newSecret(ctx.random);
  await insertToken(db, {
    tokenHash: sha256Hex(accessToken),
    kind: "access",
    ...grant,
    created: now,
    expiresAt: now + ctx.settings.tokenTtlSeconds,
    usedAt: null,
  });
  const response: TokenResponse = {
    access_token: accessToken,
    expires_in: ctx.settings.tokenTtlSeconds,
    token_type: "Bearer",
  };
  if (!withRefresh) return response;
  const refreshToken = newSecret(ctx.random);
  await insertToken(db, {
    tokenHash: sha256Hex(refreshToken),
    kind: "refresh",
    ...grant,
    created: now,
    expiresAt: null,
    usedAt: null,
  });
  return { ...response, refresh_token: refreshToken, scope: grant.scope ?? "" };
}

export async function requestToken(
  ctx: DomainContext,
  request: TokenRequest,
): Promise<TokenResponse> {
  return ctx.store.transaction(async (db) => {
    const client = await authenticateClient(db, request.client_id, request.client_secret);
    const now = ctx.clock.now();
    switch (request.grant_type) {
      case "client_credentials":
        return issue(
          ctx,
          db,
          {
            userId: client.id,
            clientId: client.clientId,
            grantType: "client_credentials",
            scope: null,
          },
          false,
        );
      case "authorization_code": {
        const code = await findAuthorizationCode(db, sha256Hex(request.code));
        if (!code || code.clientId !== client.clientId) {
          throw new BesedaError("oauth_invalid_grant", { message: "Unknown authorization code" });
        }
        if (code.expiresAt <= now) {
          throw new BesedaError("oauth_invalid_grant", {
            message: "The authorization code expired",
          });
        }
        // Checked before the code is spent: a client that forgot redirect_uri may retry.
        if (code.redirectUri !== null && request.redirect_uri !== code.redirectUri) {
          throw new BesedaError("oauth_invalid_grant", {
            message:
              request.redirect_uri === null
                ? "The code was issued for a redirect_uri: send the same redirect_uri"
                : "The redirect_uri differs from the one the code was issued for",
          });
        }
        if (!(await useAuthorizationCode(db, code.codeHash, now))) {
          throw new BesedaError("oauth_invalid_grant", {
            message: "The authorization code was already used",
          });
        }
        const grant = { userId: code.userId, clientId: client.clientId, scope: code.scope };
        return issue(ctx, db, { ...grant, grantType: "authorization_code" }, true);
      }
      case "refresh_token": {
        const token = await findToken(db, sha256Hex(request.refresh_token));
        if (token?.kind !== "refresh" || token.clientId !== client.clientId) {
          throw new BesedaError("oauth_invalid_grant", { message: "Unknown refresh token" });
        }
        if (!(await useToken(db, token.tokenHash, now))) {
          throw new BesedaError("oauth_invalid_grant", {
            message: "The refresh token was already used: refresh tokens are single-use",
          });
        }
        const grant = { userId: token.userId, clientId: token.clientId, scope: token.scope };
        return issue(ctx, db, { ...grant, grantType: "refresh_token" }, true);
      }
    }
  });
}

/** Resolves a bearer token; throws token_invalid or token_expired as production words them. */
export async function authenticate(ctx: DomainContext, accessToken: string): Promise<Principal> {
  let grant = ctx.caches.accessGrants.get(accessToken);
  if (!grant) {
    const token = await findToken(ctx.store.db, sha256Hex(accessToken));
    if (token?.kind !== "access") throw new BesedaError("token_invalid");
    grant = {
      userId: token.userId,
      scopes: token.scope === null ? null : token.scope.split(","),
      expiresAt: token.expiresAt,
    };
    ctx.caches.accessGrants.set(accessToken, grant);
  }
  if (grant.expiresAt !== null && grant.expiresAt <= ctx.clock.now()) {
    throw new BesedaError("token_expired");
  }
  return { userId: grant.userId, scopes: grant.scopes };
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes === null || principal.scopes.includes(scope);
}
