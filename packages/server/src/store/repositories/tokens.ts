// Access and refresh tokens, and authorization codes, all stored by their SHA-256 only.
import type { Selectable } from "kysely";
import { type AuthorizationCode, num, numOrNull, type Token } from "../records.ts";
import type { AuthorizationCodeTable, TokenTable } from "../schema.ts";
import type { Db } from "../store.ts";

function toToken(row: Selectable<TokenTable>): Token {
  return {
    tokenHash: row.token_hash,
    kind: row.kind,
    userId: num(row.user_id),
    clientId: row.client_id,
    grantType: row.grant_type,
    scope: row.scope,
    created: num(row.created),
    expiresAt: numOrNull(row.expires_at),
    usedAt: numOrNull(row.used_at),
  };
}

function toCode(row: Selectable<AuthorizationCodeTable>): AuthorizationCode {
  return {
    codeHash: row.code_hash,
    clientId: row.client_id,
    userId: num(row.user_id),
    scope: row.scope,
    redirectUri: row.redirect_uri,
    created: num(row.created),
    expiresAt: num(row.expires_at),
    usedAt: numOrNull(row.used_at),
  };
}

export async function insertToken(db: Db, token: Token): Promise<void> {
  await db
    .insertInto("token")
    .values({
      token_hash: token.tokenHash,
      kind: token.kind,
      user_id: token.userId,
      client_id: token.clientId,
      grant_type: token.grantType,
      scope: token.scope,
      created: token.created,
      expires_at: token.expiresAt,
      used_at: token.usedAt,
    })
    .execute();
}

export async function findToken(db: Db, tokenHash: string): Promise<Token | undefined> {
  const row = await db
    .selectFrom("token")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
  return row && toToken(row);
}

/** Marks a single-use token used; false when it was already used (a concurrent reuse loses). */
export async function useToken(db: Db, tokenHash: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable("token")
    .set({ used_at: at })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function insertAuthorizationCode(db: Db, code: AuthorizationCode): Promise<void> {
  await db
    .insertInto("authorization_code")
    .values({
      code_hash: code.codeHash,
      client_id: code.clientId,
      user_id: code.userId,
      scope: code.scope,
      redirect_uri: code.redirectUri,
      created: code.created,
      expires_at: code.expiresAt,
      used_at: code.usedAt,
    })
    .execute();
}

export async function findAuthorizationCode(
  db: Db,
  codeHash: string,
): Promise<AuthorizationCode | undefined> {
  const row = await db
    .selectFrom("authorization_code")
    .selectAll()
    .where("code_hash", "=", codeHash)
    .executeTakeFirst();
  return row && toCode(row);
}

export async function useAuthorizationCode(db: Db, codeHash: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable("authorization_code")
    .set({ used_at: at })
    .where("code_hash", "=", codeHash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Sandbox (fault injection): every access token of the account that has not expired yet expires
 * at `now`; returns how many did. Refresh tokens are left as they are.
 */
export async function expireAccessTokens(db: Db, userId: number, now: number): Promise<number> {
  const result = await db
    .updateTable("token")
    .set({ expires_at: now })
    .where("user_id", "=", userId)
    .where("kind", "=", "access")
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
