// Every error Beseda can answer with: its HTTP status, its message and the envelope it is rendered
// in. Domain code throws BesedaError with one of these codes; http/plugins/error-handler.ts is the
// one place that turns them into bodies.
//
// Envelopes:
// - "api":    {"error":{"code":<status>,"message":"…","fields"?:{…}}}       (the document's)
// - "token":  production's {"result":{"status":false,"message":"…"}} with 403, or the document's
//             401 authError, chosen by the BESEDA_AUTH_ERRORS setting
// - "oauth":  {"error":"<oauth code>","error_description":"…"}              (the token endpoint)
export type Envelope = "api" | "token" | "oauth";

export interface ErrorSpec {
  status: number;
  message: string;
  envelope: Envelope;
  /** For the oauth envelope: the RFC 6749 error code. */
  oauthError?: string;
}

function api(status: number, message: string): ErrorSpec {
  return { status, message, envelope: "api" };
}

function oauth(status: number, oauthError: string, message: string): ErrorSpec {
  return { status, message, envelope: "oauth", oauthError };
}

export const ERRORS = {
  // Generic request problems
  validation: api(400, "Validation error"),
  bad_request: api(400, "Bad request"),
  not_found: api(404, "Not found"),
  payload_too_large: api(413, "Request body is too large"),
  unsupported_media_type: api(415, "Unsupported content type"),
  rate_limited: api(429, "Too many requests"),
  internal: api(500, "Error while processing request. Please, contact support"),
  json_forbidden_key: api(400, "The request body holds a key that is not accepted"),

  // The HTTP layer: Node's parser, the connection timeouts, the router (http/plugins/protocol-errors.ts)
  http_malformed: api(400, "The request is not valid HTTP/1.1"),
  host_missing: api(400, "An HTTP/1.1 request needs a Host header"),
  bad_url: api(400, "The path holds an invalid percent-encoding"),
  not_acceptable: api(406, "Not acceptable"),
  request_timeout: api(408, "The request did not arrive in time; the connection is closed"),
  uri_too_long: api(414, "The URI is too long"),
  expectation_failed: api(417, "Only the expectation 100-continue is supported"),
  headers_too_large: api(431, "The request's headers are too large"),
  shutting_down: api(503, "The server is shutting down; retry on a new connection"),
  // The store's database cannot be reached (PostgreSQL lost): answered with Retry-After.
  store_unavailable: api(503, "The database cannot be reached; retry in a few seconds"),

  // Bearer tokens on the messenger API (messages as production words them)
  token_invalid: { status: 403, message: "invalid access token", envelope: "token" },
  token_expired: { status: 403, message: "access token expired", envelope: "token" },
  account_forbidden: api(403, "Forbidden: the token does not belong to this account"),
  scope_missing: api(403, "Forbidden: the token lacks the scope this method needs"),

  // Messenger domain
  chat_not_found: api(404, "Chat not found"),
  message_not_found: api(404, "Message not found"),
  message_not_own: api(403, "Only your own messages can be deleted"),
  message_delete_expired: api(400, "Messages can be deleted only within one hour after sending"),
  author_blacklisted: api(403, "The recipient has blacklisted the author: the message is refused"),
  user_not_found: api(404, "User not found"),

  // Media
  image_too_large: api(413, "The image is larger than 24 MB"),
  image_busy: api(503, "Too many images are waiting to be processed; retry in a few seconds"),
  voice_too_large: api(413, "The voice file is larger than 10 MB"),
  image_not_found: api(400, "Unknown image_id"),
  voice_not_found: api(400, "Unknown voice_id"),
  link_invalid: api(403, "This link is not valid: its signature does not match"),
  link_expired: api(403, "This voice link expired after one hour; ask getVoiceFiles for a new one"),

  // Token endpoint (OAuth 2.0 error responses)
  oauth_invalid_request: oauth(400, "invalid_request", "The request is missing a parameter"),
  oauth_invalid_client: oauth(401, "invalid_client", "Client authentication failed"),
  oauth_invalid_grant: oauth(400, "invalid_grant", "The grant is invalid, expired or used"),
  oauth_unsupported_grant_type: oauth(400, "unsupported_grant_type", "Unsupported grant type"),

  // Sandbox control API
  admin_token_invalid: api(401, "The sandbox API needs Authorization: Bearer <admin token>"),
  console_header_missing: api(
    403,
    "A request signed in by the console's cookie must carry the X-Beseda-Console header",
  ),
  account_not_found: api(404, "Account not found"),
  item_not_found: api(404, "Item not found"),
  chat_conflict: api(400, "The chat cannot be created"),
  clock_backwards: api(400, "The sandbox clock only moves forward"),
  delivery_not_found: api(404, "Delivery not found"),
  no_subscription: api(409, "The account has no webhook subscription to deliver to"),
  delivery_in_flight: api(
    409,
    "An attempt of this delivery is on its way: redeliver it once the attempt has ended",
  ),
  // Fixtures: import (the fields name every problem of the document) and reset
  fixture_invalid: api(400, "The fixture is not valid; nothing was loaded"),
  store_not_empty: api(
    409,
    "The store already holds a world: import with ?replace=true to replace everything (or reset it first)",
  ),

  // Fault injection: the answers a sandbox fault rule gives in production's words (the document's
  // examples: purchasingError, serviceUnavailableError; 502 has none, so it says what it is), and
  // the control API's own.
  payment_required: api(402, "Payment required"),
  bad_gateway: api(502, "Bad gateway"),
  service_unavailable: api(503, "Service temporarily unavailable. Please, contact support"),
  fault_not_found: api(404, "Fault rule not found"),

  // Scenarios run through the sandbox API (POST /sandbox/v1/scenarios/run): the fields of
  // scenario_invalid name every problem as "LINE:COLUMN path".
  scenario_invalid: api(400, "The scenario is not valid; nothing was run"),
  scenario_run_not_found: api(404, "Scenario run not found"),
  scenario_runs_busy: api(
    409,
    "Too many scenario runs are running: wait for one to end, or cancel one (POST /sandbox/v1/scenarios/runs/{run_id}/cancel)",
  ),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;
