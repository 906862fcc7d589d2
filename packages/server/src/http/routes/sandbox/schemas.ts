// JSON schemas shared by the sandbox routes. The sandbox API is Beseda's own public contract
// (documented in the README); ids follow the messenger document's int64.
import { MAX_REDIRECT_URI_LENGTH, MAX_REDIRECT_URIS } from "../../../domain/oauth/apps.ts";

export const userId = { type: "integer", format: "int64", minimum: 1 } as const;
export const name = { type: "string", minLength: 1, maxLength: 200 } as const;

/** An app's redirect URIs; domain/oauth/apps.ts checks each is an absolute http(s) URL. */
export const redirectUris = {
  type: "array",
  maxItems: MAX_REDIRECT_URIS,
  items: { type: "string", minLength: 1, maxLength: MAX_REDIRECT_URI_LENGTH },
} as const;

export const accountParams = {
  type: "object",
  properties: { user_id: userId },
  required: ["user_id"],
} as const;

/** A message's id: unknown ones are a 404 of the route, not a 400. */
export const messageId = { type: "string", minLength: 1, maxLength: 100 } as const;

export const chatParams = {
  type: "object",
  properties: { chat_id: { type: "string", minLength: 1, maxLength: 100 } },
  required: ["chat_id"],
} as const;

/** The body of a route that acts as one participant of a chat: {"user_id"}. */
export const asParticipantBody = {
  type: "object",
  properties: { user_id: userId },
  required: ["user_id"],
} as const;
