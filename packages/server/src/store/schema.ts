// Table shapes as Kysely sees them. Integers are 64-bit ids or unix seconds; PostgreSQL will hand
// bigints back as strings, so repositories convert rows with Number() in one place each.
import type { Generated } from "kysely";

export type ChatType = "u2i" | "u2u" | "a2u";
export type AccountKind = "user" | "avito";

export interface AccountTable {
  id: number;
  name: string;
  kind: AccountKind;
  /** 32 hex characters: the public profile URL's key (production hashes user ids there too). */
  profile_key: string;
  client_id: string;
  /** Kept in clear: webhook signatures are keyed with it. */
  client_secret: string;
  created: number;
}

export interface ItemTable {
  id: number;
  owner_id: number;
  title: string;
  price_string: string | null;
  status_id: number;
  created: number;
  /** Migration 20261201050000: what getItemsInfo shows; null when the sandbox was not told. */
  address: string | null;
  category_id: number | null;
  category_name: string | null;
}

export interface ChatTable {
  id: string;
  type: ChatType;
  item_id: number | null;
  /** One chat per pair (and item): "u2i:<item>:<buyer>", "u2u:<low>:<high>", "a2u:<user>". */
  pair_key: string;
  created: number;
  updated: number;
  last_message_id: string | null;
  /** Sequence of the newest message; messages are ordered by (chat_id, seq). */
  last_seq: number;
  /** Counts the chat's events (new messages, changed ones): orders its webhook deliveries. */
  event_seq: Generated<number>;
}

/** One row per participant: the chat as that account lists it. */
export interface ChatMemberTable {
  chat_id: string;
  user_id: number;
  chat_type: ChatType;
  item_id: number | null;
  updated: number;
  unread_count: number;
  last_read_at: number | null;
}

export interface MessageTable {
  id: string;
  chat_id: string;
  seq: number;
  author_id: number;
  type: string;
  /** JSON text of the message's content object. */
  content: string;
  quote_id: string | null;
  /** The image or voice a message of that type carries. */
  attachment_id: string | null;
  created: number;
  /** When the other participant read it. */
  read_at: number | null;
  deleted_at: number | null;
}

export interface BlacklistTable {
  user_id: number;
  blocked_user_id: number;
  reason_id: number | null;
  item_id: number | null;
  created: number;
}

export type TokenKind = "access" | "refresh";
export type GrantType = "client_credentials" | "authorization_code" | "refresh_token";

export interface TokenTable {
  /** SHA-256 of the token, hex: tokens themselves are never stored. */
  token_hash: string;
  kind: TokenKind;
  user_id: number;
  client_id: string;
  grant_type: GrantType;
  /** Comma-separated scopes; null: a personal (client_credentials) token with every scope. */
  scope: string | null;
  created: number;
  expires_at: number | null;
  used_at: number | null;
}

export interface AuthorizationCodeTable {
  code_hash: string;
  client_id: string;
  user_id: number;
  scope: string;
  redirect_uri: string | null;
  created: number;
  expires_at: number;
  used_at: number | null;
}

export interface ImageTable {
  /** "<digits>.<32 hex>", like production's image ids. */
  id: string;
  owner_id: number;
  /** SHA-256 of the uploaded bytes: the same bytes again reuse the resized blobs. */
  source_hash: string;
  width: number;
  height: number;
  /** JSON: size ("1280x960", …) → blob key of that size's JPEG. */
  blobs: string;
  created: number;
}

export interface VoiceTable {
  id: string;
  blob_key: string;
  size_bytes: number;
  duration_ms: number;
  created: number;
}

export interface WebhookSubscriptionTable {
  user_id: number;
  url: string;
  version: string;
  created: number;
}

/**
 * queued: waiting behind an earlier delivery of the same account and chat, or held while the
 * account's deliveries are paused (webhook_pause); pending: the head of its stream, due at
 * next_attempt_ms; then delivered, failed (gave up) or cancelled (unsubscribed).
 */
export type DeliveryStatus = "queued" | "pending" | "delivered" | "failed" | "cancelled";

/** Secrets the nodes of one store share (PostgreSQL): the generated admin token, the link-signing key. */
export interface ServerSecretTable {
  name: string;
  value: string;
}

export interface WebhookDeliveryTable {
  /** The envelope's id (UUID v4): the same on every retry. */
  id: string;
  user_id: number;
  chat_id: string;
  /** The chat's event_seq of the event: deliveries of one account and chat go in this order. */
  position: number;
  message_id: string;
  event: string;
  /** The exact JSON body POSTed on every attempt (so retries and signatures are identical). */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  /** Index into the retry schedule since the last (re)start. */
  step: number;
  /** When the current run of retries began: give-up is counted from here. */
  window_start_ms: number;
  next_attempt_ms: number;
  created_ms: number;
  finished_ms: number | null;
  /**
   * While a node sends it: until when (real time, ms) no other node may take it. Null: anyone
   * who finds it due may.
   */
  lease_until_ms: number | null;
  /** The node that holds the lease (its id, kept in its data dir). */
  leased_by: string | null;
}

/** An account whose deliveries are paused from the sandbox (migration 20261201060000). */
export interface WebhookPauseTable {
  user_id: number;
  created_ms: number;
}

/** A console sign-in (migration 20261201070000); times are real time, not the sandbox clock's. */
export interface ConsoleSessionTable {
  id_hash: string;
  admin_hash: string;
  created_ms: number;
  expires_ms: number;
}

export interface WebhookAttemptTable {
  delivery_id: string;
  number: number;
  url: string;
  started_ms: number;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  /** The first 4 KB of the receiver's answer. */
  response_excerpt: string | null;
  /** The sandbox fault rule that decided this attempt's outcome ("fault-3"), if any. */
  fault_id: string | null;
}

/** A sandbox fault rule (migration 20261201030000); nulls are conditions or actions not set. */
export interface FaultRuleTable {
  id: Generated<number>;
  /** An operationId, "*" (every operation) or "webhook" (the account's deliveries). */
  operation: string;
  user_id: number | null;
  chat_id: string | null;
  status: number | null;
  latency_ms: number | null;
  drop_when: "before" | "after" | null;
  /** Seconds, for the Retry-After of an injected 429. */
  retry_after: number | null;
  times: number | null;
  probability: number | null;
  /** null: derived from the id. */
  seed: number | null;
  /** Unix seconds of the sandbox clock. */
  until_time: number | null;
  fired: Generated<number>;
  matched: Generated<number>;
  created: number;
}

/** An app's registered redirect URIs, in the order given (migration 20261201020000). */
export interface AppRedirectUriTable {
  user_id: number;
  position: number;
  uri: string;
}

export interface SettingTable {
  key: string;
  value: string;
}

/** Requests counted by a limiter for a key in a minute of the sandbox clock (migration 20261202010000). */
export interface RateLimitTable {
  limiter: string;
  key: number;
  /** floor(ms / 60 000) of the sandbox clock. */
  minute: number;
  count: number;
}

/** Until when some node has watchers of the live events: one row, id 1 (domain/cluster/). */
export interface LiveWatchTable {
  id: number;
  /** Unix ms of real time. */
  watched_until_ms: number;
}

/** A scope's version (see the read-versions migration). */
export interface ReadVersionTable {
  scope: string;
  version: number;
}

export interface Database {
  account: AccountTable;
  item: ItemTable;
  chat: ChatTable;
  chat_member: ChatMemberTable;
  message: MessageTable;
  blacklist: BlacklistTable;
  token: TokenTable;
  authorization_code: AuthorizationCodeTable;
  app_redirect_uri: AppRedirectUriTable;
  image: ImageTable;
  voice: VoiceTable;
  webhook_subscription: WebhookSubscriptionTable;
  server_secret: ServerSecretTable;
  webhook_delivery: WebhookDeliveryTable;
  webhook_attempt: WebhookAttemptTable;
  webhook_pause: WebhookPauseTable;
  setting: SettingTable;
  fault_rule: FaultRuleTable;
  console_session: ConsoleSessionTable;
  rate_limit: RateLimitTable;
  live_watch: LiveWatchTable;
  read_version: ReadVersionTable;
}
