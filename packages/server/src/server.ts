// Starts Beseda: opens (and migrates) the store, restores the sandbox clock, settles the admin
// token, seeds the demo world into an empty store, and listens. Returns a handle that stops it
// cleanly: in-flight requests finish, then the store closes.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import { buildApp } from "./app.ts";
import { SandboxClock } from "./clock.ts";
import { type Config, ConfigError, describeDatabaseUrl } from "./config.ts";
import {
  type ClusterChanges,
  ClusterSync,
  clusterFollower,
  SINGLE_NODE,
} from "./domain/cluster/cluster-sync.ts";
import type { DomainContext } from "./domain/context.ts";
import { type DemoWorld, seedDemoWorld } from "./domain/demo-world.ts";
import { immutableCaches } from "./domain/immutable-cache.ts";
import { ImageWorkerPool } from "./domain/media/image-workers.ts";
import { PublicUrls } from "./domain/public-urls.ts";
import { cryptoRandom, seededRandom } from "./domain/random.ts";
import { InMemoryRateLimiter, StoreRateLimiter } from "./domain/rate-limiter.ts";
import { FaultRegistry } from "./domain/sandbox/faults-registry.ts";
import { webhookFaults } from "./domain/sandbox/faults-webhooks.ts";
import { FixtureFileError, loadFixtureFile } from "./domain/sandbox/fixture-file.ts";
import { type ImportAnswer, worldIsEmpty } from "./domain/sandbox/import-world.ts";
import { LiveEvents, publishAttempts } from "./domain/sandbox/live-events.ts";
import { startRandomStream } from "./domain/sandbox/random-stream.ts";
import { forgetOldWorld } from "./domain/sandbox/replace-world.ts";
import { clockState, loadClockOffset } from "./domain/sandbox-clock.ts";
import { WebhookDispatcher } from "./domain/webhooks/dispatcher.ts";
import { threadedTransport } from "./domain/webhooks/threaded-transport.ts";
import { LocalDiskBlobStore } from "./store/blob-store.ts";
import { keepSecret } from "./store/repositories/server-secrets.ts";
import { openStore, type Store } from "./store/store.ts";
import { isStoreUnavailable } from "./store/store-errors.ts";

export const ADMIN_TOKEN_FILE = "admin-token";
/** Keys the signatures of expiring media links. */
export const SIGNING_KEY_FILE = "url-signing-key";
/** This node's id, for its leases of webhook deliveries. */
export const NODE_ID_FILE = "node-id";
/** Media blobs, under the data dir. */
export const MEDIA_DIR = "media";

export interface RunningServer {
  app: FastifyInstance;
  /** Where the server listens, e.g. http://127.0.0.1:8080. */
  url: string;
  adminToken: string;
  /** Where the admin token came from: a configured one is never printed. */
  adminTokenSource: "configured" | "data dir" | "database" | "generated";
  /** Set when this start seeded the demo world. */
  demo: DemoWorld | null;
  /** Set when a fixture was configured: what it loaded, or null when the data dir held a world. */
  fixture: { path: string; loaded: ImportAnswer["imported"] | null } | null;
  ctx: DomainContext;
  clock: SandboxClock;
  close(): Promise<void>;
}

/** A secret kept in a file of the data dir (readable by its owner only), made on first need. */
function keptSecret(file: string, make: () => string): { secret: string; generated: boolean } {
  const kept = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
  if (kept !== "") return { secret: kept, generated: false };
  const secret = make();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, generated: true };
}

/**
 * A secret of the server: in the data dir of a single SQLite node; on PostgreSQL in the database,
 * shared by every node (a link signed by one must verify on another).
 */
async function serverSecret(
  config: Config,
  store: Store,
  name: string,
  make: () => string,
): Promise<{ secret: string; generated: boolean }> {
  if (store.dialect === "sqlite") return keptSecret(join(config.dataDir, name), make);
  const kept = await keepSecret(store.db, name, make());
  return { secret: kept.value, generated: kept.generated };
}

/** The configured admin token, else the one kept (data dir or database), else a new one kept there. */
async function settleAdminToken(
  config: Config,
  store: Store,
): Promise<{ token: string; source: RunningServer["adminTokenSource"] }> {
  if (config.adminToken) return { token: config.adminToken, source: "configured" };
  const kept = await serverSecret(config, store, ADMIN_TOKEN_FILE, () =>
    randomBytes(24).toString("base64url"),
  );
  if (store.dialect === "sqlite") {
    return { token: kept.secret, source: kept.generated ? "generated" : "data dir" };
  }
  // A copy in the node's data dir too: the `beseda` command on its machine finds it there.
  writeFileSync(join(config.dataDir, ADMIN_TOKEN_FILE), `${kept.secret}\n`, { mode: 0o600 });
  return { token: kept.secret, source: kept.generated ? "generated" : "database" };
}

function listenUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

/** The configured store; a database that cannot be reached or migrated is a ConfigError (exit 2). */
async function openConfiguredStore(config: Config, log: Logger): Promise<Store> {
  try {
    return await openStore({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      sqliteSynchronous: config.sqliteSynchronous,
      poolSize: config.databasePoolSize,
      onBackgroundError: (error) =>
        config.databaseUrl === null
          ? log.error(
              { err: error },
              "the WAL checkpointer failed; SQLite checkpoints on commit instead",
            )
          : log.warn({ err: error }, "an idle PostgreSQL connection failed; the pool replaces it"),
    });
  } catch (error) {
    if (config.databaseUrl === null) throw error;
    const what = isStoreUnavailable(error)
      ? "cannot reach PostgreSQL"
      : "cannot open the PostgreSQL store";
    throw new ConfigError(
      `${what} at ${describeDatabaseUrl(config.databaseUrl)} (BESEDA_DATABASE_URL or --database-url): ${oneLineReason(error, config.databaseUrl)}`,
    );
  }
}

/** Why the database refused, on one line, never with the URL's password. */
function oneLineReason(error: unknown, databaseUrl: string): string {
  // A failed connect to every address of a name is an AggregateError whose message can be empty.
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  let reason =
    typeof message === "string" && message.trim() !== ""
      ? message
      : typeof code === "string"
        ? code
        : String(error);
  const password = URL.canParse(databaseUrl) ? new URL(databaseUrl).password : "";
  if (password !== "") {
    // As written in the URL, and as sent to the server (percent-decoded).
    let decoded = password;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      // A malformed escape is sent as written.
    }
    for (const form of new Set([password, decoded])) reason = reason.replaceAll(form, "***");
  }
  return reason.replace(/\s*\n\s*/g, " ").trim();
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
    // Names this node's leases of deliveries; the same data dir is the same node after a restart.
    const nodeId = keptSecret(join(config.dataDir, NODE_ID_FILE), () =>
      randomBytes(8).toString("hex"),
    ).secret;
    const signingKey = (
      await serverSecret(config, store, SIGNING_KEY_FILE, () => randomBytes(32).toString("hex"))
    ).secret;
    let cluster: ClusterChanges = SINGLE_NODE;
    const ctx: DomainContext = {
      store,
      media: {
        blobs: new LocalDiskBlobStore(config.mediaDir ?? join(config.dataDir, MEDIA_DIR)),
        images,
        signingKey: Buffer.from(signingKey, "hex"),
      },
      clock,
      random: config.randomSeed === null ? cryptoRandom() : seededRandom(config.randomSeed),
      urls: new PublicUrls(() => config.publicUrl ?? url),
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
      // Event ids name this start of the process (not the seeded source: a restart must differ).
      live: new LiveEvents(randomBytes(4).toString("hex"), () => clock.nowMs()),
      faults: new FaultRegistry(store, (error) =>
        log.error({ err: error }, "writing the fault rules' counts failed; retried with the next"),
      ),
      // Set once the node follows the others (below); a change before that has no one to tell.
      get cluster() {
        return cluster;
      },
      messengerRateLimit:
        store.dialect === "postgres"
          ? new StoreRateLimiter(store, "messenger", config.rateLimitPerMinute, clock)
          : new InMemoryRateLimiter(config.rateLimitPerMinute, clock),
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
