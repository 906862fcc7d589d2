// The v3 webhook envelope as production sends it (WIRE-NOTES "Webhooks", messenger.json's
// WebhookEnvelope/WebhookMessage) and its parsing. Types only come from the generated document;
// the check below is hand-written so that the package carries no schema validator.
import type { components } from "./generated/messenger.ts";
import { WebhookPayloadError } from "./webhooks-errors.ts";

export type MessageContent = components["schemas"]["MessageContent"];

/** Chat kinds the document lists; a newer one still parses (as a plain string). */
export type WebhookChatType = "u2i" | "u2u" | "a2u" | (string & {});

/** Message types the document lists; `deleted` arrives when a message is deleted. */
export type WebhookMessageType =
  | NonNullable<components["schemas"]["WebhookMessage"]["type"]>
  | (string & {});

/** One message, new or changed, in any chat of the subscribed account. */
export interface WebhookMessage {
  /** 32 hex characters: the key to deduplicate on (a retry repeats it). */
  id: string;
  chat_id: string;
  chat_type: WebhookChatType;
  /** The subscribed account: who receives the delivery. */
  user_id: number;
  /** Who wrote the message; equal to `user_id` for the account's own messages. */
  author_id: number;
  /** Only in u2i chats. */
  item_id?: number | null;
  /** Unix seconds. */
  created: number;
  type: WebhookMessageType;
  /** `{}` for video, file and appCall messages. */
  content: MessageContent;
  /** RFC 3339 in UTC. */
  published_at?: string;
  /** Unix seconds when read, or null. */
  read?: number | null;
}

export interface WebhookEvent {
  /** UUID of the delivery: the same on every retry of it. */
  id: string;
  /** `v3.0.0` on production. */
  version: string;
  /** Unix seconds. */
  timestamp: number;
  payload: { type: "message"; value: WebhookMessage };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a JSON text as a v3 message event, or throws WebhookPayloadError naming every fault. */
export function parseEvent(text: string): WebhookEvent {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new WebhookPayloadError("the body is not JSON");
  }
  if (!isObject(body)) throw new WebhookPayloadError("the body is not a JSON object");
  const problems: string[] = [];
  const expect = (object: Json, path: string, field: string, kind: "string" | "number") => {
    const value = object[field];
    if (kind === "number" ? !Number.isFinite(value) : typeof value !== kind) {
      problems.push(`${path}${field}: must be a ${kind}`);
    }
  };
  expect(body, "", "id", "string");
  expect(body, "", "version", "string");
  expect(body, "", "timestamp", "number");
  const payload = body.payload;
  if (!isObject(payload)) {
    problems.push("payload: must be an object");
    throw new WebhookPayloadError("the body is not a v3 webhook envelope", problems);
  }
  if (payload.type !== "message") {
    problems.push(`payload.type: ${JSON.stringify(payload.type)} is not "message"`);
  }
  const value = payload.value;
  if (!isObject(value)) {
    problems.push("payload.value: must be an object");
  } else {
    const at = "payload.value.";
    for (const field of ["id", "chat_id", "chat_type", "type"]) expect(value, at, field, "string");
    for (const field of ["user_id", "author_id", "created"]) expect(value, at, field, "number");
    if (!isObject(value.content)) problems.push(`${at}content: must be an object`);
    if (value.item_id !== undefined && value.item_id !== null)
      expect(value, at, "item_id", "number");
    if (value.read !== undefined && value.read !== null) expect(value, at, "read", "number");
    if (value.published_at !== undefined) expect(value, at, "published_at", "string");
  }
  if (problems.length > 0) {
    throw new WebhookPayloadError("the body is not a v3 webhook envelope", problems);
  }
  return body as unknown as WebhookEvent;
}

/**
 * Production delivers the account's own messages too (those sent through the API included):
 * a bot that answers every event would answer itself forever.
 */
export function isOwnEcho(event: WebhookEvent): boolean {
  return event.payload.value.author_id === event.payload.value.user_id;
}

/**
 * What identifies an event across retries: the message id, plus `:deleted` for the delivery
 * that announces its deletion (same message id, a later event that must not pass for a
 * duplicate).
 */
export function dedupeKey(event: WebhookEvent): string {
  const { id, type } = event.payload.value;
  return type === "deleted" ? `${id}:deleted` : id;
}
