// The whole world at once, for the sandbox's export, import and reset: every row of the world's
// tables read in one go, written in multi-row statements, or every table emptied, in the order the
// foreign keys allow. Each function runs inside the caller's transaction, so that an export reads
// one consistent state and an import or reset is all or nothing.
import { insertRows } from "../bulk.ts";
import type { Account, Chat, ChatMember, Image, Item, Message, Voice } from "../records.ts";
import type { Database } from "../schema.ts";
import type { Db } from "../store.ts";
import { accountRow, listAccounts } from "./accounts.ts";
import { allBlacklistEntries, type BlacklistEntry, blacklistRow } from "./blacklist.ts";
import { allChats, allMembers, chatRow, type MemberOfChat, memberRow } from "./chats.ts";
import { allItems, itemRow } from "./items.ts";
import { allImages, allVoices, imageRow, voiceRow } from "./media.ts";
import { allMessages, messageRow } from "./messages.ts";
import { allRedirectUris, replaceRedirectUris } from "./redirect-uris.ts";
import type { Subscription } from "./webhook-records.ts";
import { allSubscriptions, putSubscription } from "./webhook-subscriptions.ts";

/**
 * The world as the store holds it (tokens, deliveries, paused deliveries, fault rules and settings
 * aside).
 */
export interface StoredWorld {
  accounts: Account[];
  /** Each app's registered redirect URIs, in order, by account id (only accounts with some). */
  redirectUris: Map<number, string[]>;
  items: Item[];
  chats: Chat[];
  members: ChatMember[];
  /** By chat, each chat's in its order. */
  messages: Message[];
  blacklist: BlacklistEntry[];
  subscriptions: Subscription[];
  images: Image[];
  voices: Voice[];
}

/** A world to write: the same, with each member's row carrying the chat columns it mirrors. */
export interface NewWorld extends Omit<StoredWorld, "members"> {
  members: MemberOfChat[];
}

export async function readWorld(db: Db): Promise<StoredWorld> {
  return {
    accounts: await listAccounts(db),
    redirectUris: await allRedirectUris(db),
    items: await allItems(db),
    chats: await allChats(db),
    members: await allMembers(db),
    messages: await allMessages(db),
    blacklist: await allBlacklistEntries(db),
    subscriptions: await allSubscriptions(db),
    images: await allImages(db),
    voices: await allVoices(db),
  };
}

/**
 * Does the store hold anything of a world? An account (everything else but voice files hangs off
 * one), or a voice file: the sandbox stores those without an account, and their ids were drawn too.
 */
export async function holdsWorld(db: Db): Promise<boolean> {
  if (await db.selectFrom("account").select("id").limit(1).executeTakeFirst()) return true;
  return (await db.selectFrom("voice").select("id").limit(1).executeTakeFirst()) !== undefined;
}

/** Writes a world, parents before children, into a store that holds none of its ids. */
export async function insertWorld(db: Db, world: NewWorld): Promise<void> {
  await insertRows(db, "account", world.accounts.map(accountRow));
  for (const [userId, uris] of world.redirectUris) await replaceRedirectUris(db, userId, uris);
  await insertRows(db, "item", world.items.map(itemRow));
  await insertRows(db, "chat", world.chats.map(chatRow));
  await insertRows(db, "chat_member", world.members.map(memberRow));
  await insertRows(
    db,
    "message",
    world.messages.map((message) => messageRow(message)),
  );
  await insertRows(db, "blacklist", world.blacklist.map(blacklistRow));
  for (const subscription of world.subscriptions) await putSubscription(db, subscription);
  await insertRows(db, "image", world.images.map(imageRow));
  await insertRows(db, "voice", world.voices.map(voiceRow));
}

/**
 * What outlives a reset or an import: the console's sign-ins belong to the server, not the world,
 * and so do the rate limits' counts (a single node's, in memory, outlive a reset too), the
 * secrets the nodes share, and whether some node has watchers of the live events.
 */
type ServerTables = "console_session" | "live_watch" | "rate_limit" | "server_secret";

/**
 * Every table of the world, in the order it is emptied: a table before those it references. Typed
 * over the whole schema, so that a new table does not compile until it has its place here or in
 * ServerTables (a reset must leave nothing of the old world behind).
 */
const EMPTYING_ORDER: { readonly [T in Exclude<keyof Database, ServerTables>]: number } = {
  webhook_attempt: 0,
  webhook_delivery: 1,
  webhook_subscription: 2,
  webhook_pause: 3,
  token: 4,
  authorization_code: 5,
  app_redirect_uri: 6,
  fault_rule: 7,
  blacklist: 8,
  message: 9,
  chat_member: 10,
  chat: 11,
  image: 12,
  voice: 13,
  item: 14,
  account: 15,
  setting: 16,
  read_version: 17,
};

/** Deletes every row of every table (the clock's offset and the other settings too). */
export async function emptyStore(db: Db): Promise<void> {
  const tables = (Object.keys(EMPTYING_ORDER) as (keyof typeof EMPTYING_ORDER)[]).sort(
    (a, b) => EMPTYING_ORDER[a] - EMPTYING_ORDER[b],
  );
  for (const table of tables) await db.deleteFrom(table).execute();
}
