// Every migration, by name. Names start with a timestamp, so they sort in the order they run.
import type { Migration } from "kysely/migration";
import * as initial from "./20261124000000-initial.ts";
import * as media from "./20261124010000-media.ts";
import * as webhooks from "./20261124020000-webhooks.ts";
import * as unreadMessages from "./20261124030000-unread-messages.ts";
import * as partialIndexes from "./20261201000000-partial-indexes.ts";
import * as deliveryLogIndexes from "./20261201010000-delivery-log-indexes.ts";
import * as redirectUris from "./20261201020000-redirect-uris.ts";
import * as faultRules from "./20261201030000-fault-rules.ts";
import * as itemDetails from "./20261201050000-item-details.ts";
import * as webhookPauses from "./20261201060000-webhook-pauses.ts";
import * as consoleSessions from "./20261201070000-console-sessions.ts";
import * as deliveryLeases from "./20261202000000-delivery-leases.ts";
import * as rateLimits from "./20261202010000-rate-limits.ts";
import * as serverSecrets from "./20261202020000-server-secrets.ts";
import * as liveWatch from "./20261202030000-live-watch.ts";
import * as readVersions from "./20261202070000-read-versions.ts";

export const MIGRATIONS: Record<string, Migration> = {
  "20261124000000-initial": initial,
  "20261124010000-media": media,
  "20261124020000-webhooks": webhooks,
  "20261124030000-unread-messages": unreadMessages,
  "20261201000000-partial-indexes": partialIndexes,
  "20261201010000-delivery-log-indexes": deliveryLogIndexes,
  "20261201020000-redirect-uris": redirectUris,
  "20261201030000-fault-rules": faultRules,
  "20261201050000-item-details": itemDetails,
  "20261201060000-webhook-pauses": webhookPauses,
  "20261201070000-console-sessions": consoleSessions,
  "20261202000000-delivery-leases": deliveryLeases,
  "20261202010000-rate-limits": rateLimits,
  "20261202020000-server-secrets": serverSecrets,
  "20261202030000-live-watch": liveWatch,
  "20261202070000-read-versions": readVersions,
};
