// Accounts and items, created through the sandbox (or the demo world): the sellers and buyers of
// the conversations, each account with its own client_id and client_secret.
import { BesedaError } from "../errors/beseda-error.ts";
import type { Account, AccountKind, Item, ItemCategory } from "../store/records.ts";
import {
  findAccount,
  findAccountByKind,
  findAccounts,
  insertAccount,
} from "../store/repositories/accounts.ts";
import { findItem, insertItem } from "../store/repositories/items.ts";
import type { Db } from "../store/store.ts";
import type { DomainContext } from "./context.ts";
import { newClientId, newItemId, newProfileKey, newSecret, newUserId } from "./ids.ts";

/** Item status as the chat context carries it: 10 active (production's example), 20 deleted. */
export const ITEM_STATUS_ACTIVE = 10;
export const ITEM_STATUSES = [10, 20] as const;

/** The name of the account that a2u chats are held with. */
export const AVITO_ACCOUNT_NAME = "Авито";

export interface AccountCredentials {
  user_id: number;
  name: string;
  client_id: string;
  client_secret: string;
}

export function credentialsOf(account: Account): AccountCredentials {
  return {
    user_id: account.id,
    name: account.name,
    client_id: account.clientId,
    client_secret: account.clientSecret,
  };
}

async function unusedUserId(ctx: DomainContext, db: Db): Promise<number> {
  for (;;) {
    const id = newUserId(ctx.random);
    if (!(await findAccount(db, id))) return id;
  }
}

async function unusedItemId(ctx: DomainContext, db: Db): Promise<number> {
  for (;;) {
    const id = newItemId(ctx.random);
    if (!(await findItem(db, id))) return id;
  }
}

export async function insertNewAccount(
  ctx: DomainContext,
  db: Db,
  name: string,
  kind: AccountKind = "user",
): Promise<Account> {
  const account: Account = {
    id: await unusedUserId(ctx, db),
    name,
    kind,
    profileKey: newProfileKey(ctx.random),
    clientId: newClientId(ctx.random),
    clientSecret: newSecret(ctx.random),
    created: ctx.clock.now(),
  };
  await insertAccount(db, account);
  return account;
}

export async function createAccount(ctx: DomainContext, name: string): Promise<Account> {
  return ctx.store.transaction((db) => insertNewAccount(ctx, db, name));
}

/** The Avito system account that a2u chats are held with, created on first need. */
export async function avitoAccount(ctx: DomainContext, db: Db): Promise<Account> {
  return (
    (await findAccountByKind(db, "avito")) ??
    (await insertNewAccount(ctx, db, AVITO_ACCOUNT_NAME, "avito"))
  );
}

export async function requireAccount(db: Db, userId: number): Promise<Account> {
  const account = await findAccount(db, userId);
  if (!account)
    throw new BesedaError("account_not_found", { message: `Account ${userId} not found` });
  return account;
}

export async function requireAccounts(db: Db, ids: readonly number[]): Promise<Account[]> {
  const accounts = await findAccounts(db, ids);
  const missing = ids.filter((id) => !accounts.some((a) => a.id === id));
  if (missing.length > 0) {
    throw new BesedaError("account_not_found", {
      message: `Account ${missing.join(", ")} not found`,
    });
  }
  return accounts;
}

export interface NewItem {
  title: string;
  priceString: string | null;
  statusId: number;
  /** What getItemsInfo shows; not given: "" and {"id":0,"name":""} there. */
  address?: string | null;
  category?: ItemCategory | null;
}

export async function insertNewItem(
  ctx: DomainContext,
  db: Db,
  ownerId: number,
  input: NewItem,
): Promise<Item> {
  await requireAccount(db, ownerId);
  const item: Item = {
    id: await unusedItemId(ctx, db),
    ownerId,
    title: input.title,
    priceString: input.priceString,
    statusId: input.statusId,
    created: ctx.clock.now(),
    address: input.address ?? null,
    category: input.category ?? null,
  };
  await insertItem(db, item);
  return item;
}

export async function createItem(
  ctx: DomainContext,
  ownerId: number,
  input: NewItem,
): Promise<Item> {
  return ctx.store.transaction((db) => insertNewItem(ctx, db, ownerId, input));
}
