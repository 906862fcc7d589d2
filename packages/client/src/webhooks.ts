// `@beseda/avito-messenger/webhooks`: receiving Avito's webhook deliveries. Verify and parse one
// request, deduplicate retries, skip the account's own echoes, or let an adapter for node:http
// or fetch-style servers do all of it. Nothing here calls the API or keeps state at import.
export {
  createDeduper,
  type Deduper,
  type DeduperLike,
  type DeduperOptions,
} from "./webhooks-dedupe.ts";
export {
  type SignatureProblem,
  WebhookHandlerTimeoutError,
  WebhookOverloadError,
  WebhookPayloadError,
  WebhookSignatureError,
} from "./webhooks-errors.ts";
export {
  dedupeKey,
  isOwnEcho,
  parseEvent,
  type WebhookChatType,
  type WebhookEvent,
  type WebhookMessage,
  type WebhookMessageType,
} from "./webhooks-event.ts";
export { type FetchWebhookHandler, fetchHandler } from "./webhooks-fetch.ts";
export {
  type NodeRequestLike,
  type NodeResponseLike,
  type NodeWebhookHandler,
  nodeHandler,
} from "./webhooks-node.ts";
export type {
  OnWebhookEvent,
  WebhookEventContext,
  WebhookHandlerOptions,
} from "./webhooks-receiver.ts";
export { type HeadersLike, SIGNATURE_HEADER } from "./webhooks-signature.ts";
export { verifyAndParse } from "./webhooks-verify.ts";
