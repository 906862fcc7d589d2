// Keeps what this node holds in memory in step with the other nodes on the same PostgreSQL: the
// sandbox clock's offset, the fault rules, and the world itself (a reset or an import on another
// node empties the caches and drops attempts of the old world here too). Each is versioned by a
// setting that its writer changes in the same transaction; a node that hears a signal, or polls
// each second, reads the versions and applies what changed. A node records the versions it wrote
// itself, so that it does not apply its own change twice.
import { randomUUID } from "node:crypto";
import type { SandboxClock } from "../../clock.ts";
import type { ChangeSignals, ChangeTopic } from "../../store/change-signals.ts";
import { getSettings, putSetting } from "../../store/repositories/settings.ts";
import type { Db, Store } from "../../store/store.ts";

/** The settings that version each topic (the clock's offset is its own version). */
export const VERSION_KEYS = {
  clock: "clock_offset_ms",
  faults: "faults_version",
  world: "world_version",
} as const satisfies Partial<Record<ChangeTopic, string>>;

type VersionedTopic = keyof typeof VERSION_KEYS;

/** What a node does when another changed something. */
export interface ClusterFollower {
  clockMoved(offsetMs: number): void;
  faultsChanged(): Promise<void>;
  worldReplaced(): Promise<void>;
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

export class ClusterSync implements ClusterChanges {
  readonly #store: Store;
  readonly #signals: ChangeSignals;
  readonly #follower: ClusterFollower;
  readonly #onError: (error: unknown) => void;
  readonly #seen = new Map<VersionedTopic, string | undefined>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | null = null;
  #pollAgain = false;

  constructor(
    store: Store,
    signals: ChangeSignals,
    follower: ClusterFollower,
    onError: (error: unknown) => void,
  ) {
    this.#store = store;
    this.#signals = signals;
    this.#follower = follower;
    this.#onError = onError;
  }

  /** Takes the versions as they are now (this node loaded that state), then follows changes. */
  async start(): Promise<void> {
    const versions = await this.#versions();
    for (const topic of Object.keys(VERSION_KEYS) as VersionedTopic[]) {
      this.#seen.set(topic, versions.get(VERSION_KEYS[topic]));
    }
    await this.#signals.listen((topic) => {
      if (topic === "deliveries") this.#follower.deliveriesDue();
      else this.poll();
    });
    this.#timer = setInterval(() => this.poll(), POLL_MS);
    this.#timer.unref();
  }

  changed(topic: ChangeTopic, version?: string): void {
    if (topic !== "deliveries") this.#seen.set(topic, version);
    this.#signals.notify(topic).catch(this.#onError);
  }

  /** Reads the versions and applies what changed since they were last seen (one poll at a time). */
  poll(): void {
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
    clearInterval(this.#timer);
    await this.#polling;
  }

  async #versions(): Promise<Map<string, string>> {
    return getSettings(this.#store.db, Object.values(VERSION_KEYS));
  }

  async #apply(): Promise<void> {
    const versions = await this.#versions();
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
    deliveriesDue: () => parts.wake(),
  };
}
