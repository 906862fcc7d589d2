// What the store hands to the domain: plain objects with camelCase names and numbers for every
// 64-bit id and timestamp, whatever the SQL driver returned. Each repository converts its rows here.
import type { AccountKind, ChatType, GrantType, TokenKind } from "./schema.ts";

export type { AccountKind, ChatType, GrantType, TokenKind };

export interface Account {
  id: number;
  name: string;
  kind: AccountKind;
  profileKey: string;
  clientId: string;
  clientSecret: string;
  created: number;
}

export interface Item {
  id: number;
  ownerId: number;
  title: string;
  priceString: string | null;
  statusId: number;
  created: number;
  address: string | null;
  category: ItemCategory | null;
}

/** A category of Avito's catalogue, as the sandbox was told it (Beseda keeps no catalogue). */
export interface ItemCategory {
  id: number;
  name: string;
}

export interface Chat {
  id: string;
  type: ChatType;
  itemId: number | null;
  pairKey: string;
  created: number;
  updated: number;
  lastMessageId: string | null;
  lastSeq: number;
}

export interface ChatMember {
  chatId: string;
  userId: number;
  unreadCount: number;
  lastReadAt: number | null;
  updated: number;
}

export type JsonObject = { [key: string]: unknown };

export interface Message {
  id: string;
  chatId: string;
  seq: number;
  authorId: number;
  type: string;
  content: JsonObject;
  quoteId: string | null;
  attachmentId: string | null;
  created: number;
  readAt: number | null;
  deletedAt: number | null;
}

export interface Token {
  tokenHash: string;
  kind: TokenKind;
  userId: number;
  clientId: string;
  grantType: GrantType;
  scope: string | null;
  created: number;
  expiresAt: number | null;
  usedAt: number | null;
}

export interface AuthorizationCode {
  codeHash: string;
  clientId: string;
  userId: number;
  scope: string;
  redirectUri: string | null;
  created: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface Image {
  id: string;
  ownerId: number;
  sourceHash: string;
  width: number;
  height: number;
  /** Size ("1280x960", …) → blob key. */
  blobs: Record<string, string>;
  created: number;
}

export interface Voice {
  id: string;
  blobKey: string;
  sizeBytes: number;
  durationMs: number;
  created: number;
}

/** Number() for a column that may come back as a bigint string (PostgreSQL) or a number. */
export function num(value: number | string | bigint): number {
  return Number(value);
}

export function numOrNull(value: number | string | bigint | null): number | null {
  return value === null ? null : Number(value);
}
