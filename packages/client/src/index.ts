// The package's entry: the client, its options, errors, token store, the operation types and
// the paging helpers.
// Webhook helpers are a separate entry (`@beseda/avito-messenger/webhooks`), so a bot that only
// calls the API does not load them.
export type { BudgetOptions } from "./budget.ts";
export { AvitoMessenger } from "./client.ts";
export type { Clock } from "./clock.ts";
export {
  AvitoAuthenticationError,
  AvitoConnectionError,
  AvitoError,
  AvitoGrantLostError,
  AvitoNotFoundError,
  AvitoPermissionError,
  AvitoRateLimitError,
  AvitoSendUnverifiedError,
  AvitoServerError,
  AvitoTariffError,
  AvitoValidationError,
} from "./errors.ts";
export type * from "./operation-types.ts";
export type { AvitoMessengerOptions, CallOptions } from "./options.ts";
export { DEFAULT_BASE_URL } from "./options.ts";
export * from "./paging.ts";
export type { BackoffOptions, RetryEvent, RetryReason } from "./retry-policy.ts";
export { MemoryTokenStore, type StoredToken, type TokenStore } from "./token-store.ts";
