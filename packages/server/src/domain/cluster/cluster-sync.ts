// Keeps what this node holds in memory in step with the other nodes on the same PostgreSQL: the
// sandbox clock's offset, the fault rules, and the world itself (a reset or an import on another
// node empties the caches and drops attempts of the old world here too), and the grants of access
// tokens that a sandbox fault expired. Each is versioned by a
// setting that its writer changes in the same transaction; a node that hears a signal, or polls
// each second, reads the versions and applies what changed. A node records the versions it wrote
// itself, so that it does not apply its own change twice.
//
// It also relays the sandbox's live events (messages, reads, attempts) to watchers connected to
// other nodes, while any node has one: a node with watchers says so in the store every few
// seconds, and the others relay only while that says someone watches.
import { randomUUID } from "node:crypto";
import type { SandboxClock } from "../../clock.ts";
import {
  type ChangeSignals,
  type ChangeTopic,
  MAX_SIGNAL_PAYLOAD_BYTES,
} from "../../store/change-signals.ts";
import { putWatchedUntilMs, watchedUntilMs } from "../../store/repositories/live-watch.ts";
import { getSettings, putSetting } from "../../store/repositories/settings.ts";
import type { Db, Store } from "../../store/store.ts";
import type { LiveEvent, LiveEvents } from "../sandbox/live-events.ts";

/** The settings that version each topic (the clock's offset is its own version). */
export const VERSION_KEYS = {
  clock: "clock_offset_ms",
  faults: "faults_version",
  world: "world_version",
  grants: "grants_version",
} as const satisfies Partial<Record<ChangeTopic, string>>;

type VersionedTopic = keyof typeof VERSION_KEYS;

/** What a node does when another changed something. */
export interface ClusterFollower {
  clockMoved(offsetMs: number): void;
  faultsChanged(): Promise<void>;
  worldReplaced(): Promise<void>;
  /** Access tokens' grants changed (expired now): the copies kept in memory are stale. */
  grantsChanged(): void;
  /** Deliveries may be due: look for work. */
  deliveriesDue(): void;
}

/** What the domain tells the other nodes, once its change has committed. */
export interface ClusterChanges {
  /** `version`: the value the change wrote to the topic's setting (see stampVersion). */
  changed(topic: ChangeTopic, version?: string): void;
}

/**
 * Inside the transaction of a change: a new version of `topic` for the other nodes to notice
 * (drawn from the system's generator, not the seeded one). Undefined with one node: nobody to tell.
 */
export async function stampVersion(
  store: Store,
  db: Db,
  topic: VersionedTopic,
): Promise<string | undefined> {
  if (store.signals === null) return undefined;
  const version = randomUUID();
  await putSetting(db, VERSION_KEYS[topic], version);
  return version;
}

/** One node: nothing to tell anyone. */
export const SINGLE_NODE: ClusterChanges = { changed: () => {} };

const POLL_MS = 1000;
/** Until when a node with watchers says someone watches, and how often it says so again. */
const WATCHED_FOR_MS = 60_000;
const WATCHED_RENEW_MS = 10_000;

export interface ClusterSyncOptions {
  store: Store;
  signals: ChangeSignals;
  follower: ClusterFollower;
  /** This node's id: it skips the events it relayed itself. */
  node: string;
  live: LiveEvents;
  realNowMs: () => number;
  onError: (error: unknown) => void;
}

/** Events relayed in one notification, with the node that made them. */
interface RelayedEvents {
  from: string;
  events: LiveEvent[];
}

export class ClusterSync implements ClusterChanges {
  readonly #store: Store;
  readonly #signals: ChangeSignals;
  readonly #follower: ClusterFollower;
  readonly #options: ClusterSyncOptions;
  readonly #onError: (error: unknown) => void;
  readonly #seen = new Map<VersionedTopic, string | undefined>();
  /** Until when some node has watchers (real time), as last read. */
  #watchedUntilMs = 0;
  #saidWatchedAtMs = Number.NEGATIVE_INFINITY;
  #outbox: LiveEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | null = null;
  #pollAgain = false;
  /** Counts this node's own changes: a poll that read across one read stale versions. */
  #ownChanges = 0;
  #stopped = false;

  constructor(options: ClusterSyncOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#signals = options.signals;
    this.#follower = options.follower;
    this.#onError = options.onError;
  }

  /** Takes the versions as they are now (this node loaded that state), then follows changes. */
  async start(): Promise<void> {
    const versions = await this.#versions();
    for (const topic of Object.keys(VERSION_KEYS) as VersionedTopic[]) {
      this.#seen.set(topic, versions.get(VERSION_KEYS[topic]));
    }
    this.#watchedUntilMs = await watchedUntilMs(this.#store.db);
    await this.#signals.listen((topic, payload) => {
      if (topic === "deliveries") this.#follower.deliveriesDue();
      else if (topic === "live") this.#received(payload);
      else this.poll();
    });
    this.#options.live.relayTo(
      (event) => this.#relay(event),
      () => this.#watchedUntilMs > this.#options.realNowMs(),
    );
    this.#timer = setInterval(() => this.poll(), POLL_MS);
    this.#timer.unref();
  }

  changed(topic: ChangeTopic, version?: string): void {
    if (topic in VERSION_KEYS) {
      this.#seen.set(topic as VersionedTopic, version);
      this.#ownChanges++;
    }
    this.#signals.notify(topic).catch(this.#onError);
  }

  /** Reads the versions and applies what changed since they were last seen (one poll at a time). */
  poll(): void {
    if (this.#stopped) return;
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    this.#polling = this.#apply()
      .catch(this.#onError)
      .finally(() => {
        this.#polling = null;
        if (this.#pollAgain) {
          this.#pollAgain = false;
          this.poll();
        }
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    // A poll may ask for another as it ends.
    while (this.#polling) await this.#polling;
  }

  async #versions(): Promise<Map<string, string>> {
    return getSettings(this.#store.db, Object.values(VERSION_KEYS));
  }

  /** Events made here, for the other nodes' watchers: sent together at the end of the turn. */
  #relay(event: LiveEvent): void {
    this.#outbox.push(event);
    if (this.#outbox.length === 1) setImmediate(() => this.#sendRelayed());
  }

  #sendRelayed(): void {
    const events = this.#outbox;
    this.#outbox = [];
    const send = (batch: LiveEvent[]) => {
      const payload: RelayedEvents = { from: this.#options.node, events: batch };
      const text = JSON.stringify(payload);
      if (Buffer.byteLength(text) <= MAX_SIGNAL_PAYLOAD_BYTES) {
        this.#signals.notify("live", text).catch(this.#onError);
      } else if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        send(batch.slice(0, half));
        send(batch.slice(half));
      } else {
        // One event too large to relay (a long message): the others' watchers fetch the world
        // again rather than miss it.
        this.#signals
          .notify("live", JSON.stringify({ from: this.#options.node, events: [{ type: "world" }] }))
          .catch(this.#onError);
      }
    };
    send(events);
  }

  /** Events another node made: for this node's watchers. */
  #received(payload: string | null): void {
    if (payload === null) return;
    let relayed: RelayedEvents;
    try {
      relayed = JSON.parse(payload) as RelayedEvents;
    } catch (error) {
      this.#onError(error);
      return;
    }
    if (relayed.from === this.#options.node) return;
    for (const event of relayed.events) this.#options.live.receive(event);
  }

  /** A node with watchers says so, so that the others relay their events to it. */
  async #sayWatched(): Promise<void> {
    const now = this.#options.realNowMs();
    if (!this.#options.live.watchedHere || now - this.#saidWatchedAtMs < WATCHED_RENEW_MS) return;
    this.#saidWatchedAtMs = now;
    const until = now + WATCHED_FOR_MS;
    await putWatchedUntilMs(this.#store.db, until);
    this.#watchedUntilMs = Math.max(this.#watchedUntilMs, until);
  }

  async #apply(): Promise<void> {
    await this.#sayWatched();
    const ownChangesBefore = this.#ownChanges;
    const versions = await this.#versions();
    // A change of this node committed while the versions were read: what was read may predate
    // it, and applied it would undo it here (the clock moved back). Read again.
    if (this.#ownChanges !== ownChangesBefore) {
      this.#pollAgain = true;
      return;
    }
    this.#watchedUntilMs = await watchedUntilMs(this.#store.db);
    const changed = (topic: VersionedTopic) => {
      const now = versions.get(VERSION_KEYS[topic]);
      if (now === this.#seen.get(topic)) return false;
      this.#seen.set(topic, now);
      return true;
    };
    // A new world brings its clock and its rules: applied whole, before either on its own.
    const world = changed("world");
    const clock = changed("clock");
    const faults = changed("faults");
    if (changed("grants")) this.#follower.grantsChanged();
    if (world) await this.#follower.worldReplaced();
    if (world || clock) this.#follower.clockMoved(Number(versions.get(VERSION_KEYS.clock) ?? 0));
    if (world || faults) await this.#follower.faultsChanged();
  }
}

/** How this node follows the others: its clock, its fault rules, its caches and dispatcher. */
export function clusterFollower(parts: {
  clock: SandboxClock;
  faultsReload: () => Promise<void>;
  forgetWorld: () => void;
  forgetGrants: () => void;
  wake: () => void;
  publishClock: () => void;
  publishWorld: () => void;
}): ClusterFollower {
  return {
    clockMoved: (offsetMs) => {
      if (parts.clock.offsetMs === offsetMs) return;
      parts.clock.setOffsetMs(offsetMs);
      parts.publishClock();
      parts.wake();
    },
    faultsChanged: () => parts.faultsReload(),
    worldReplaced: async () => {
      parts.forgetWorld();
      parts.publishWorld();
    },
    grantsChanged: () => parts.forgetGrants(),
    deliveriesDue: () => parts.wake(),
  };
}
