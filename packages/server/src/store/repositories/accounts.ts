// Accounts: the sellers, buyers and the Avito system user, with their API credentials.
import type { Insertable, Selectable } from "kysely";
import { type Account, num } from "../records.ts";
import type { AccountTable } from "../schema.ts";
import type { Db } from "../store.ts";

function toAccount(row: Selectable<AccountTable>): Account {
  return {
    id: num(row.id),
    name: row.name,
    kind: row.kind,
    profileKey: row.profile_key,
    clientId: row.client_id,
    clientSecret: row.client_secret,
    created: num(row.created),
  };
}

/** The row of an account: the inverse of toAccount, for single and bulk inserts alike. */
export function accountRow(account: Account): Insertable<AccountTable> {
  return {
    id: account.id,
    name: account.name,
    kind: account.kind,
    profile_key: account.profileKey,
    client_id: account.clientId,
    client_secret: account.clientSecret,
    created: account.created,
  };
}

export async function insertAccount(db: Db, account: Account): Promise<void> {
  await db.insertInto("account").values(accountRow(account)).execute();
}

export async function findAccount(db: Db, id: number): Promise<Account | undefined> {
  const row = await db.selectFrom("account").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toAccount(row);
}

export async function findAccounts(db: Db, ids: readonly number[]): Promise<Account[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("account").selectAll().where("id", "in", ids).execute();
  return rows.map(toAccount);
}

export async function findAccountByClientId(
  db: Db,
  clientId: string,
): Promise<Account | undefined> {
  const row = await db
    .selectFrom("account")
    .selectAll()
    .where("client_id", "=", clientId)
    .executeTakeFirst();
  return row && toAccount(row);
}

export async function findAccountByKind(
  db: Db,
  kind: Account["kind"],
): Promise<Account | undefined> {
  const row = await db
    .selectFrom("account")
    .selectAll()
    .where("kind", "=", kind)
    .orderBy("created")
    .executeTakeFirst();
  return row && toAccount(row);
}

/** Up to `limit` accounts of one kind, newest first (the consent page's choice of account). */
export async function listAccountsOfKind(
  db: Db,
  kind: Account["kind"],
  limit: number,
): Promise<Account[]> {
  const rows = await db
    .selectFrom("account")
    .selectAll()
    .where("kind", "=", kind)
    .orderBy("created", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toAccount);
}

export async function countAccounts(db: Db): Promise<number> {
  const row = await db
    .selectFrom("account")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  return num(row.n);
}

export async function findAccountByProfileKey(
  db: Db,
  profileKey: string,
): Promise<Account | undefined> {
  const row = await db
    .selectFrom("account")
    .selectAll()
    .where("profile_key", "=", profileKey)
    .executeTakeFirst();
  return row && toAccount(row);
}

/** Every account, oldest first: the sandbox's overview (a sandbox holds few). */
export async function listAccounts(db: Db): Promise<Account[]> {
  const rows = await db
    .selectFrom("account")
    .selectAll()
    .orderBy("created")
    .orderBy("id")
    .execute();
  return rows.map(toAccount);
}
