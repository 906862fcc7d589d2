// How a node follows the others' versions (ClusterSync), on a real PostgreSQL schema: a poll
// whose read of the versions crosses this node's own change must not apply what it read, which
// may predate the change (the sandbox clock moved back on the node that moved it forward). The
// read is held by a Kysely plugin after PostgreSQL answered it, so the interleaving is certain.
// Always PostgreSQL, whatever the project.
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { SandboxClock } from "../src/clock.ts";
import { ClusterSync, clusterFollower, VERSION_KEYS } from "../src/domain/cluster/cluster-sync.ts";
import { LiveEvents } from "../src/domain/sandbox/live-events.ts";
import { putSetting } from "../src/store/repositories/settings.ts";
import { openStore, type Store } from "../src/store/store.ts";
import { dropPostgresSchema, postgresSchemaUrl, testSchemaOf } from "./helpers/test-database.ts";

const SCHEMA = testSchemaOf("cluster-sync.test.ts");

/** Holds the answer of the next read of the settings table until `release()`. */
class SettingsReadGate implements KyselyPlugin {
  readonly #settingsReads = new WeakSet<QueryId>();
  #armed = false;
  #release: () => void = () => {};
  #held: Promise<void> = Promise.resolve();
  /** Resolves once a read has been answered by PostgreSQL and is being held. */
  reached: Promise<void> = Promise.resolve();
  #reached: () => void = () => {};

  arm(): void {
    this.#armed = true;
    this.#held = new Promise((resolve) => {
      this.#release = resolve;
    });
    this.reached = new Promise((resolve) => {
      this.#reached = resolve;
    });
  }

  release(): void {
    this.#release();
  }

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === "SelectQueryNode" && JSON.stringify(node.from).includes('"setting"')) {
      this.#settingsReads.add(queryId);
    }
    return node;
  }

  async transformResult({
    result,
    queryId,
  }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.#armed && this.#settingsReads.has(queryId)) {
      this.#armed = false;
      this.#reached();
      await this.#held;
    }
    return result;
  }
}

let store: Store;

beforeAll(async () => {
  await dropPostgresSchema(SCHEMA);
  store = await openStore({ dataDir: "unused", databaseUrl: await postgresSchemaUrl(SCHEMA) });
});

afterAll(async () => {
  await store?.close();
  await dropPostgresSchema(SCHEMA);
});

test("a poll that read the versions across this node's own clock change does not move the clock back", async () => {
  const signals = store.signals;
  if (!signals) throw new Error("a PostgreSQL store has signals");
  const gate = new SettingsReadGate();
  const gated: Store = { ...store, db: store.db.withPlugin(gate) };
  const clock = new SandboxClock();
  const live = new LiveEvents("cluster-sync-test", () => clock.nowMs());
  const moves: number[] = [];
  const errors: unknown[] = [];
  const sync = new ClusterSync({
    store: gated,
    signals,
    follower: clusterFollower({
      clock,
      faultsReload: async () => {},
      forgetWorld: () => {},
      forgetGrants: () => {},
      wake: () => moves.push(clock.offsetMs),
      publishClock: () => {},
      publishWorld: () => {},
    }),
    node: "cluster-sync-test",
    live,
    realNowMs: () => clock.realNowMs(),
    onError: (error) => errors.push(error),
  });
  await sync.start();
  try {
    // A poll reads the versions as they are (no offset stored yet), and is held with its answer.
    gate.arm();
    sync.poll();
    await gate.reached;
    // Meanwhile this node moves its clock, as advanceClock does: committed, then told.
    await putSetting(store.db, VERSION_KEYS.clock, "5000");
    clock.setOffsetMs(5000);
    sync.changed("clock", "5000");
    gate.release();
    // Waits for that poll and the one its change's own signal asked for.
    await sync.stop();
    expect(errors).toEqual([]);
    expect(clock.offsetMs).toBe(5000);
    // Never moved at all: not back to 0, then forward again.
    expect(moves).toEqual([]);
  } finally {
    await sync.stop();
  }
});
