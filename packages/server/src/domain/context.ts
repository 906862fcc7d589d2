// What every domain function is given: the store, the one clock, the public URLs and the few
// settings the domain obeys. Built once at start-up by app.ts.
import type { Clock } from "../clock.ts";
import type { BlobStore } from "../store/blob-store.ts";
import type { Store } from "../store/store.ts";
import type { PublicUrls } from "./public-urls.ts";

export interface DomainSettings {
  tokenTtlSeconds: number;
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
}
