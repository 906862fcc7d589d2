// Starts Beseda: opens (and migrates) the store, restores the sandbox clock, settles the admin
// token, seeds the demo world into an empty store, and listens. Returns a handle that stops it
// cleanly: in-flight requests finish, then the store closes.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { buildApp } from "./app.ts";
import { SandboxClock } from "./clock.ts";
import { type Config, ConfigError } from "./config.ts";
import {
  type ClusterChanges,
  ClusterSync,
  clusterFollower,
  SINGLE_NODE,
  VERSION_KEYS,
} from "./domain/cluster/cluster-sync.ts";
import type { DomainContext } from "./domain/context.ts";
import { type DemoWorld, seedDemoWorld } from "./domain/demo-world.ts";
import { immutableCaches } from "./domain/immutable-cache.ts";
import { ImageWorkerPool } from "./domain/media/image-workers.ts";
import { PublicUrls } from "./domain/public-urls.ts";
import { cryptoRandom, seededRandom } from "./domain/random.ts";
import { logFailedCountWrites, openRateLimiter } from "./domain/rate-limits/open-rate-limiter.ts";
import { FaultRegistry } from "./domain/sandbox/faults-registry.ts";
import { webhookFaults } from "./domain/sandbox/faults-webhooks.ts";
import { FixtureFileError, loadFixtureFile } from "./domain/sandbox/fixture-file.ts";
import { type ImportAnswer, worldIsEmpty } from "./domain/sandbox/import-world.ts";
import { LiveEvents, publishAttempts } from "./domain/sandbox/live-events.ts";
import { startRandomStream } from "./domain/sandbox/random-stream.ts";
import { forgetOldWorld } from "./domain/sandbox/replace-world.ts";
import { clockState, loadClockOffset } from "./domain/sandbox-clock.ts";
import { CoalescedVersionReads } from "./domain/views/coalesced-version-reads.ts";
import { KeptAnswers } from "./domain/views/kept-answers.ts";
import { ReadFragments } from "./domain/views/read-fragments.ts";
import { WebhookDispatcher } from "./domain/webhooks/dispatcher.ts";
import { threadedTransport } from "./domain/webhooks/threaded-transport.ts";
import { openConfiguredStore } from "./open-configured-store.ts";
import {
  type AdminTokenSource,
  nodeIdOf,
  settleAdminToken,
  signingKeyOf,
} from "./server-secrets.ts";
import { LocalDiskBlobStore } from "./store/blob-store.ts";
import { readVersionsOf } from "./store/repositories/read-versions.ts";
import type { Store } from "./store/store.ts";

export { ADMIN_TOKEN_FILE, NODE_ID_FILE, SIGNING_KEY_FILE } from "./server-secrets.ts";

/** Media blobs, under the data dir. */
export const MEDIA_DIR = "media";

export interface RunningServer {
  app: FastifyInstance;
  /** Where the server listens, e.g. http://127.0.0.1:8080. */
  url: string;
  adminToken: string;
  /** Where the admin token came from: a configured one is never printed. */
  adminTokenSource: AdminTokenSource;
  /** Set when this start seeded the demo world. */
  demo: DemoWorld | null;
  /** Set when a fixture was configured: what it loaded, or null when the data dir held a world. */
  fixture: { path: string; loaded: ImportAnswer["imported"] | null } | null;
  ctx: DomainContext;
  clock: SandboxClock;
  close(): Promise<void>;
}

function listenUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

/**
 * On a store shared by several nodes (PostgreSQL), follows what the others change: the clock, the
 * fault rules, the world. Null with one node.
 */
async function followOtherNodes(
  ctx: DomainContext,
  clock: SandboxClock,
  log: Logger,
): Promise<ClusterSync | null> {
  const signals = ctx.store.signals;
  if (signals === null) return null;
  const sync = new ClusterSync({
    store: ctx.store,
    signals,
    follower: clusterFollower({
      clock,
      faultsReload: () => ctx.faults.load(),
      forgetWorld: () => forgetOldWorld(ctx),
      forgetGrants: () => ctx.caches.accessGrants.clear(),
      wake: () => ctx.webhooks.wake(),
      publishClock: () => ctx.live.publish({ type: "clock", ...clockState(clock) }),
      publishWorld: () => ctx.live.publish({ type: "world" }),
    }),
    node: ctx.settings.nodeId,
    live: ctx.live,
    realNowMs: () => clock.realNowMs(),
    onError: (error) =>
      log.warn({ err: error }, "following the other nodes' changes failed; polling goes on"),
  });
  await sync.start();
  return sync;
}

export async function startServer(config: Config, logger?: Logger): Promise<RunningServer> {
  const log = logger ?? pino({ level: config.logLevel, base: { service: "beseda" } });
  // The node's own files (admin token, signing key, node id) live here whatever the store.
  mkdirSync(config.dataDir, { recursive: true });
  const store: Store = await openConfiguredStore(config, log);
  // Workers start with the first upload; until then the pool holds nothing.
  const images = new ImageWorkerPool({
    workers: config.imageWorkers,
    memoryBytes: config.imageMemoryMb * 1024 * 1024,
    onError: (error) => log.error({ err: error }, "an image worker failed"),
  });
  try {
    const clock = new SandboxClock(await loadClockOffset(store));
    const admin = await settleAdminToken(config, store);
    let url = listenUrl(config.host, config.port);
    const transport = threadedTransport(config.webhookMode, (error) =>
      log.error({ err: error }, "the webhook worker failed; its POSTs will be retried"),
    );
    const nodeId = nodeIdOf(config);
    const signingKey = await signingKeyOf(config, store);
    let cluster: ClusterChanges = SINGLE_NODE;
    const urls = new PublicUrls(() => config.publicUrl ?? url);
    const ctx: DomainContext = {
      store,
      media: {
        blobs: new LocalDiskBlobStore(config.mediaDir ?? join(config.dataDir, MEDIA_DIR)),
        images,
        signingKey,
      },
      clock,
      random: config.randomSeed === null ? cryptoRandom() : seededRandom(config.randomSeed),
      urls,
      settings: {
        tokenTtlSeconds: config.tokenTtlSeconds,
        webhookProbe: config.webhookProbe,
        webhookMode: config.webhookMode,
        webhookLeaseMs: config.webhookLease * 1000,
        nodeId,
      },
      webhooks: {
        transport,
        wake: () => dispatcher.wake(),
        handOff: (deliveries) => dispatcher.handOff(deliveries),
        resync: () => {
          dispatcher.resync();
          // Other nodes look too: what was made due may be theirs to send first.
          ctx.cluster.changed("deliveries");
        },
        inFlight: (deliveryId) => dispatcher.inFlight(deliveryId),
        discard: () => dispatcher.discard(),
      },
      caches: immutableCaches(),
      fragments: new ReadFragments(urls),
      // 32 MB: about 140 lists of 100 chats (227 KB each), far more of short answers. Nodes on
      // one PostgreSQL check each kept answer's version in the store before serving it, the
      // checks of concurrent reads in one statement.
      keptAnswers: new KeptAnswers({
        maxBytes: 32 * 1024 * 1024,
        maxScopes: 20_000,
        shared:
          store.dialect === "postgres"
            ? new CoalescedVersionReads(
                (scopes) => readVersionsOf(store.db, scopes, VERSION_KEYS.world),
                { maxScopesPerStatement: 64 },
              )
            : undefined,
      }),
      // Event ids name this start of the process (not the seeded source: a restart must differ).
      live: new LiveEvents(randomBytes(4).toString("hex"), () => clock.nowMs()),
      faults: new FaultRegistry(store, (error) =>
        log.error({ err: error }, "writing the fault rules' counts failed; retried with the next"),
      ),
      // Set once the node follows the others (below); a change before that has no one to tell.
      get cluster() {
        return cluster;
      },
      messengerRateLimit: openRateLimiter({
        store,
        name: "messenger",
        limit: config.rateLimitPerMinute,
        clock,
        onError: logFailedCountWrites(log),
      }),
    };
    const dispatcher = new WebhookDispatcher({
      store,
      clock,
      transport,
      retry: {
        schedule: config.webhookRetrySchedule,
        giveUpAfterSeconds: config.webhookGiveUpAfter,
      },
      leaseMs: config.webhookLease * 1000,
      node: nodeId,
      // One process owns a SQLite store; on PostgreSQL other nodes write into the same streams,
      // and a look each second takes over what a lost node held.
      followStreams: store.dialect === "sqlite",
      maxSleepMs: store.dialect === "sqlite" ? undefined : 1000,
      onError: (error) => log.error({ err: error }, "webhook dispatcher failed; retrying in 1 s"),
      interceptor: webhookFaults(ctx.faults, clock),
      onAttempts: (attempts) => publishAttempts(ctx.live, attempts),
    });
    await ctx.faults.load();
    const sync = await followOtherNodes(ctx, clock, log);
    cluster = sync ?? SINGLE_NODE;
    const emptyAtStart = await worldIsEmpty(ctx);
    await startRandomStream(ctx, emptyAtStart);
    const app = await buildApp({ config, ctx, clock, adminToken: admin.token, logger: log });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    if (address && typeof address === "object") url = listenUrl(config.host, address.port);
    let demo: DemoWorld | null = null;
    let fixture: RunningServer["fixture"] = null;
    try {
      // A fixture takes the demo world's place; like it, it goes only into an empty data dir.
      if (config.fixture !== null) {
        const loaded = emptyAtStart ? await loadFixtureFile(ctx, clock, config.fixture) : null;
        fixture = { path: config.fixture, loaded };
        if (!loaded)
          log.warn({ fixture: config.fixture }, "the data dir holds a world: fixture not loaded");
      } else if (config.demo) demo = await seedDemoWorld(ctx);
    } catch (error) {
      await app.close();
      await sync?.stop();
      await dispatcher.stop();
      throw error instanceof FixtureFileError ? new ConfigError(error.message) : error;
    }
    // Deliveries left pending by an earlier run (a crash included) go out now.
    await dispatcher.start();
    return {
      app,
      url,
      adminToken: admin.token,
      adminTokenSource: admin.source,
      demo,
      fixture,
      ctx,
      clock,
      close: async () => {
        await app.close();
        await images.close();
        await sync?.stop();
        await dispatcher.stop();
        await ctx.faults.flush();
        await store.close();
      },
    };
  } catch (error) {
    await images.close();
    await store.close();
    throw error;
  }
}
