// What every domain function is given: the store, the one clock, the public URLs and the few
// settings the domain obeys. Built once at start-up by app.ts.
import type { Clock } from "../clock.ts";
import type { Store } from "../store/store.ts";
import type { PublicUrls } from "./public-urls.ts";

export interface DomainSettings {
  tokenTtlSeconds: number;
}

export interface DomainContext {
  store: Store;
  clock: Clock;
  urls: PublicUrls;
  settings: DomainSettings;
}
