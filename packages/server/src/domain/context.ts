// What every domain function is given: the store, the one clock, the public URLs and the few
// settings the domain obeys. Built once at start-up by app.ts.

import type { Clock } from "../clock.ts";
import type { BlobStore } from "../store/blob-store.ts";
import type { DueDelivery } from "../store/repositories/webhook-records.ts";
import type { Store } from "../store/store.ts";
import type { ClusterChanges } from "./cluster/cluster-sync.ts";
import type { ImmutableCaches } from "./immutable-cache.ts";
import type { ImageRenderer } from "./media/image-workers.ts";
import type { PublicUrls } from "./public-urls.ts";
import type { RandomSource } from "./random.ts";
import type { RateLimiter } from "./rate-limits/rate-limiter.ts";
import type { FaultRegistry } from "./sandbox/faults-registry.ts";
import type { LiveEvents } from "./sandbox/live-events.ts";
import type { KeptAnswers } from "./views/kept-answers.ts";
import type { ReadFragments } from "./views/read-fragments.ts";
import type { WebhookTransport } from "./webhooks/transport.ts";

export interface DomainSettings {
  tokenTtlSeconds: number;
  webhookProbe: boolean;
  webhookMode: "sandbox" | "production";
  /** How long the node that writes a delivery holds it (see WebhookDispatcher's leaseMs). */
  webhookLeaseMs: number;
  /** This node's id (kept in its data dir): the deliveries it writes are leased to it. */
  nodeId: string;
}

/** What the domain tells the webhook dispatcher. */
export interface WebhookSignal {
  /** Look in the store: work may be due (the sandbox clock moved). */
  wake(): void;
  /** These deliveries were just committed: send the ones due now without looking them up. */
  handOff(deliveries: readonly DueDelivery[]): void;
  /**
   * The queues or subscriptions changed outside the dispatcher (a redelivery, a new URL, an
   * unsubscription): forget what it remembers of them and follow the store.
   */
  resync(): void;
  /** Whether an attempt of this delivery is on its way (its result would overwrite a restart). */
  inFlight(deliveryId: string): boolean;
  /**
   * The store was emptied or replaced (a sandbox reset or import): forget everything, and drop the
   * results of attempts still in flight rather than write them over the new world.
   */
  discard(): void;
}

export interface MediaContext {
  blobs: BlobStore;
  /** Decodes and resizes uploaded images, off the request thread. */
  images: ImageRenderer;
  /** Keys the HMAC of expiring voice links; kept in the data dir. */
  signingKey: Buffer;
}

export interface DomainContext {
  store: Store;
  media: MediaContext;
  clock: Clock;
  /** Every id and secret is drawn from it (domain/ids.ts). */
  random: RandomSource;
  urls: PublicUrls;
  settings: DomainSettings;
  webhooks: WebhookSignal & { transport: WebhookTransport };
  caches: ImmutableCaches;
  /** Parts of the reads' answers kept encoded (views/read-fragments.ts). */
  fragments: ReadFragments;
  /** Whole read answers, kept until what they show changes (views/kept-answers.ts). */
  keptAnswers: KeptAnswers;
  /** The sandbox's fault rules, in memory (the store holds them too). */
  faults: FaultRegistry;
  /** What happens, as it happens: for the sandbox's event stream. */
  live: LiveEvents;
  /**
   * The messenger API's requests per account and minute: its routes count through it, the
   * sandbox's account overview reads each account's use of it.
   */
  messengerRateLimit: RateLimiter;
  /** Tells the other nodes on the same store what changed (nothing with one node). */
  cluster: ClusterChanges;
}
