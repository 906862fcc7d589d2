// What every domain function is given: the store, the one clock, the public URLs and the few
// settings the domain obeys. Built once at start-up by app.ts.
import type { Clock } from "../clock.ts";
import type { BlobStore } from "../store/blob-store.ts";
import type { Store } from "../store/store.ts";
import type { PublicUrls } from "./public-urls.ts";
import type { WebhookTransport } from "./webhooks/transport.ts";

export interface DomainSettings {
  tokenTtlSeconds: number;
  webhookProbe: boolean;
  webhookMode: "sandbox" | "production";
}

/** What the domain tells the webhook dispatcher: there is new work, or time moved. */
export interface WebhookSignal {
  wake(): void;
}

export interface MediaContext {
  blobs: BlobStore;
  /** Keys the HMAC of expiring voice links; kept in the data dir. */
  signingKey: Buffer;
}

export interface DomainContext {
  store: Store;
  media: MediaContext;
  clock: Clock;
  urls: PublicUrls;
  settings: DomainSettings;
  webhooks: WebhookSignal & { transport: WebhookTransport };
}
