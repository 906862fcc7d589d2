// The SQLite store's two pieces of machinery: group commit (transactions asked for together share
// one commit, yet each succeeds or fails alone and settles only once committed) and the worker
// thread that checkpoints the WAL. A second connection to the same file sees what is committed.
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, beforeEach, expect, test } from "vitest";
import { openSqliteStore, SQLITE_FILE } from "../src/store/sqlite/open-sqlite.ts";
import type { Store } from "../src/store/store.ts";
import { storeSnapshot, storeTables, UNCOMPARED_TABLES } from "./helpers/store-snapshot.ts";
import { tempDataDir } from "./helpers/test-server.ts";

let dir: string;
let store: Store;
let observer: SqliteDatabase.Database;

beforeEach(async () => {
  dir = tempDataDir();
  store = await openSqliteStore(dir);
  observer = new SqliteDatabase(join(dir, SQLITE_FILE), { readonly: true });
});

afterEach(async () => {
  observer.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What another connection sees as committed. */
function committedKeys(): string[] {
  const rows = observer.prepare("select key from setting order by key").all() as { key: string }[];
  return rows.map((r) => r.key);
}

function put(key: string) {
  return store.transaction(async (db) => {
    await db.insertInto("setting").values({ key, value: "v" }).execute();
    return key;
  });
}

test("transactions asked for together commit together; one that fails is rolled back alone", async () => {
  const seenUncommittedByTheThird: string[][] = [];
  const results = await Promise.allSettled([
    put("a"),
    store.transaction(async (db) => {
      await db.insertInto("setting").values({ key: "b", value: "v" }).execute();
      throw new Error("refused");
    }),
    store.transaction(async (db) => {
      // Same commit as "a": its write is visible here, but not yet to anyone else.
      const here = await db.selectFrom("setting").select("key").orderBy("key").execute();
      seenUncommittedByTheThird.push(
        here.map((r) => r.key),
        committedKeys(),
      );
      await db.insertInto("setting").values({ key: "c", value: "v" }).execute();
    }),
  ]);
  expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect((results[1] as PromiseRejectedResult).reason).toHaveProperty("message", "refused");
  expect(seenUncommittedByTheThird).toEqual([["a"], []]);
  expect(committedKeys()).toEqual(["a", "c"]);
});

test("a transaction's promise settles only after its commit", async () => {
  const done = await Promise.all(
    ["x", "y", "z"].map(async (key) => [await put(key), committedKeys()]),
  );
  for (const [key, committed] of done) expect(committed).toContain(key);
});

test("a transaction alone is rolled back whole when it throws", async () => {
  await expect(
    store.transaction(async (db) => {
      await db.insertInto("setting").values({ key: "alone", value: "v" }).execute();
      throw new Error("no");
    }),
  ).rejects.toThrow("no");
  await put("after");
  expect(committedKeys()).toEqual(["after"]);
});

test("a failed commit fails every transaction of the batch, and none of them is kept", async () => {
  // A unit that defers foreign keys and breaks one succeeds itself; the commit then refuses.
  const results = await Promise.allSettled([
    put("p"),
    store.transaction(async (db) => {
      await sql`pragma defer_foreign_keys = on`.execute(db);
      await db
        .insertInto("item")
        .values({
          id: 1,
          owner_id: 404,
          title: "orphan",
          price_string: null,
          status_id: 1,
          created: 0,
        })
        .execute();
    }),
    put("r"),
  ]);
  expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
  expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
  expect(committedKeys()).toEqual([]);
  // The store goes on working.
  await put("s");
  expect(committedKeys()).toEqual(["s"]);
});

test("while commits come often the WAL is copied by the worker; once they stop, by SQLite again", async () => {
  const quietDir = tempDataDir();
  const quiet = await openSqliteStore(quietDir, { checkpoints: { idleSeconds: 2 } });
  try {
    const file = join(quietDir, SQLITE_FILE);
    const value = "x".repeat(4000);
    const put = (key: string) =>
      quiet.transaction((db) => db.insertInto("setting").values({ key, value }).execute());
    // 128 commits of 4 KB (about 500 WAL pages): under SQLite's own threshold (1000 pages), so
    // only the worker, started by the rate of commits, copies them into the database file.
    const before = statSync(file).size;
    for (let i = 0; i < 128; i++) await put(`small-${i}`);
    const deadline = Date.now() + 5000;
    while (statSync(file).size < before + 500_000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(statSync(file).size).toBeGreaterThanOrEqual(before + 500_000);

    // Two quiet seconds end the worker: the commit that crosses 1000 pages checkpoints again,
    // before it returns.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const quietSize = statSync(file).size;
    await quiet.transaction(async (db) => {
      for (let i = 0; i < 1100; i++) {
        await db
          .insertInto("setting")
          .values({ key: `large-${i}`, value })
          .execute();
      }
    });
    expect(statSync(file).size).toBeGreaterThanOrEqual(quietSize + 4_000_000);
  } finally {
    await quiet.close();
    rmSync(quietDir, { recursive: true, force: true });
  }
});

test("under writes that never stop, the WAL is still started over and stays bounded", async () => {
  const busyDir = tempDataDir();
  const busy = await openSqliteStore(busyDir, { checkpoints: { restartAboveBytes: 1024 * 1024 } });
  try {
    const wal = join(busyDir, `${SQLITE_FILE}-wal`);
    const value = "y".repeat(4000);
    let largest = 0;
    let startedOver = false;
    let restarts = 0;
    let previous = 0;
    // Until the WAL has started over three times (the checkpointer keeps up with writes that
    // never stop), or 20 s: a busy machine writes more slowly, so no fixed time would do.
    const deadline = Date.now() + 20_000;
    for (let i = 0; restarts < 3 && Date.now() < deadline; i++) {
      await busy.transaction((db) =>
        db
          .insertInto("setting")
          .values({ key: `row-${i}`, value })
          .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
          .execute(),
      );
      if (i % 50 === 0) {
        const size = statSync(wal).size;
        // Much smaller than at the last look: started over since.
        if (size < previous / 4) {
          startedOver = true;
          restarts++;
        }
        previous = size;
        largest = Math.max(largest, size);
      }
    }
    // Left alone it grows by hundreds of megabytes in a few seconds (about 550 MB in 2.5 s here);
    // started over past the limit, it stays within what a tenth of a second of these writes adds.
    expect(startedOver).toBe(true);
    expect(largest).toBeLessThan(128 * 1024 * 1024);
  } finally {
    await busy.close();
    rmSync(busyDir, { recursive: true, force: true });
  }
});

test("a store snapshot covers every table the migrations create, and none of Kysely's own", async () => {
  // The snapshot's tables come from the database; the migrations' createTable calls say what
  // they must be, so a table added later is compared by every "changed nothing" check.
  const migrations = join(import.meta.dirname, "../src/store/migrations");
  const created = readdirSync(migrations)
    .filter((file) => file.endsWith(".ts"))
    .flatMap((file) =>
      [...readFileSync(join(migrations, file), "utf8").matchAll(/createTable\("([a-z_]+)"\)/g)].map(
        (match) => match[1] as string,
      ),
    );
  // (Their `down` functions drop tables; no migration drops one on the way up.)
  const expected = [...new Set(created)].sort();
  expect(expected).toContain("webhook_attempt");
  expect(expected).toContain("console_session");
  expect(await storeTables(store)).toEqual(expected);
  const snapshot = JSON.parse(await storeSnapshot(store)) as Record<string, string[]>;
  expect(Object.keys(snapshot).sort()).toEqual(
    expected.filter((table) => !UNCOMPARED_TABLES.includes(table)),
  );
});

test("the page cache is 8 MB unless BESEDA_SQLITE_CACHE_MB says otherwise, and the seed's load puts it back", async () => {
  const cacheSize = async (of: Store) =>
    (await sql<{ cache_size: number }>`pragma cache_size`.execute(of.db)).rows[0]?.cache_size;
  expect(await cacheSize(store)).toBe(-8 * 1024);
  await store.withBulkLoad(async () => {
    expect(await cacheSize(store)).toBeLessThan(-8 * 1024);
  });
  expect(await cacheSize(store)).toBe(-8 * 1024);
  const otherDir = tempDataDir();
  const other = await openSqliteStore(otherDir, { cacheMb: 3 });
  try {
    expect(await cacheSize(other)).toBe(-3 * 1024);
  } finally {
    await other.close();
    rmSync(otherDir, { recursive: true, force: true });
  }
});
