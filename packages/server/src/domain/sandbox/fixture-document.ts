// The fixture format: one JSON document holding a whole sandbox world, as GET /sandbox/v1/export
// writes it and POST /sandbox/v1/import (and `beseda serve --fixture`) reads it. Versioned: a
// change that an older server could misread makes a new version. Field names follow the API's
// (user_id, item_id, chat_id); every field is required unless marked optional here, and a field
// that can be empty is written as null.
import type { AccountKind, ChatType } from "../../store/records.ts";

export const FIXTURE_FORMAT = "beseda-fixture";
export const FIXTURE_VERSION = 1;

export interface FixtureDocument {
  format: typeof FIXTURE_FORMAT;
  version: typeof FIXTURE_VERSION;
  /**
   * Optional. The exporting server's public URL: links into it that messages carry (an item
   * message's item_url) are moved to the importing server's.
   */
  base_url?: string;
  /** Optional. The sandbox time of the export; an import sets the sandbox clock to it. */
  clock?: { now_ms: number; offset_ms?: number };
  /**
   * Optional. The random stream the exporting server drew its ids from (domain/random.ts): a
   * seeded server that imports the world draws from the next one, so its new ids never repeat
   * the world's.
   */
  random_stream?: number;
  accounts: FixtureAccount[];
  items: FixtureItem[];
  chats: FixtureChat[];
  /** A chat's messages in its order, oldest first (their place in the list is their place). */
  messages: FixtureMessage[];
  blacklist: FixtureBlacklistEntry[];
  webhook_subscriptions: FixtureSubscription[];
  images: FixtureImage[];
  voices: FixtureVoice[];
  /**
   * Optional. The media bytes, base64, by their SHA-256 (hex): each blob once, however many
   * images and voices share it. Left out by `?media=false`; an import then finds the blobs in
   * its own media store (the same data dir, say) or refuses.
   */
  blobs?: Record<string, string>;
}

export interface FixtureAccount {
  user_id: number;
  name: string;
  kind: AccountKind;
  /** 32 hex: the key of the account's public profile URL. */
  profile_key: string;
  client_id: string;
  client_secret: string;
  created: number;
  /** Optional (default []): the app's registered redirect URIs, in order. */
  redirect_uris?: string[];
}

export interface FixtureItem {
  item_id: number;
  /** The owner. */
  user_id: number;
  title: string;
  price_string: string | null;
  status_id: number;
  /** Optional (default null). */
  address?: string | null;
  /** Optional (default null). */
  category?: { id: number; name: string } | null;
  created: number;
}

export interface FixtureChatMember {
  user_id: number;
  unread_count: number;
  last_read_at: number | null;
  /** The chat's newest activity as this member's list sorts it. */
  updated: number;
}

export interface FixtureChat {
  chat_id: string;
  type: ChatType;
  /** u2i: the item; u2u and a2u: null. */
  item_id: number | null;
  created: number;
  updated: number;
  /** The two users: u2i the item's owner and a buyer, u2u two users, a2u Avito and a user. */
  members: FixtureChatMember[];
}

export interface FixtureMessage {
  id: string;
  chat_id: string;
  author_id: number;
  /** A type the sandbox posts, or "deleted". */
  type: string;
  /** As stored: image and voice messages hold {} and name their file in attachment_id. */
  content: Record<string, unknown>;
  quote_id: string | null;
  /** An image id (type image), a voice id (type voice), either or null (deleted), else null. */
  attachment_id: string | null;
  created: number;
  read_at: number | null;
  deleted_at: number | null;
}

export interface FixtureBlacklistEntry {
  user_id: number;
  blocked_user_id: number;
  reason_id: number | null;
  item_id: number | null;
  created: number;
}

export interface FixtureSubscription {
  user_id: number;
  url: string;
  version: string;
  created: number;
}

export interface FixtureImage {
  image_id: string;
  /** Who uploaded it. */
  user_id: number;
  /** SHA-256 of the uploaded file: the same bytes uploaded again reuse the sizes. */
  source_hash: string;
  width: number;
  height: number;
  /** Size ("1280x960", …) → the SHA-256 of that size's JPEG, a key of `blobs`. */
  sizes: Record<string, string>;
  created: number;
}

export interface FixtureVoice {
  voice_id: string;
  /** The SHA-256 of the file, a key of `blobs`. */
  blob_key: string;
  size_bytes: number;
  duration_ms: number;
  created: number;
}
