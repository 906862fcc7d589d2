// precompiled(): a Kysely query compiled once per dialect, run with new values each time. The
// markers must land where the values go, constants of the query must stay, and a value the query
// leaves out must be caught at once rather than bound in the wrong place.
import { sql } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { precompiled } from "../src/store/precompiled.ts";
import type { Store } from "../src/store/store.ts";
import { openTestStore } from "./helpers/test-database.ts";

let store: Store;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ store, remove } = await openTestStore());
});

afterAll(async () => {
  await remove();
});

const put = precompiled(["key", "value"], (db, v) =>
  db.insertInto("setting").values({ key: v.key, value: v.value }),
);

/** A value used twice, next to a constant of the query ("-suffix"). */
const rename = precompiled(["key"], (db, v) =>
  db
    .updateTable("setting")
    .set((eb) => ({ value: sql<string>`${eb.ref("value")} || ${"-suffix"}` }))
    .where((eb) => eb.or([eb("key", "=", v.key), eb("value", "=", v.key)]))
    .returning(["key", "value"]),
);

test("each run binds its own values, in a transaction or not", async () => {
  await put(store.db, { key: "a", value: "1" });
  await store.transaction(async (db) => {
    await put(db, { key: "b", value: "2" });
    await put(db, { key: "c", value: "a" });
  });
  const rows = await store.db.selectFrom("setting").selectAll().orderBy("key").execute();
  expect(rows).toEqual([
    { key: "a", value: "1" },
    { key: "b", value: "2" },
    { key: "c", value: "a" },
  ]);
});

test("a value used twice is bound twice; the query's own constants stay", async () => {
  const { rows } = await rename(store.db, { key: "a" });
  expect(rows.sort((x, y) => x.key.localeCompare(y.key))).toEqual([
    { key: "a", value: "1-suffix" },
    { key: "c", value: "a-suffix" },
  ]);
  const again = await rename(store.db, { key: "b" });
  expect(again.rows).toEqual([{ key: "b", value: "2-suffix" }]);
});

test("an undefined value is written as null", async () => {
  const note = precompiled(["key", "value"], (db, v) =>
    db.insertInto("setting").values({ key: v.key, value: v.value }),
  );
  await expect(note(store.db, { key: "d" })).rejects.toThrow(/NOT[ -]NULL/i);
});

test("a value the query leaves out is refused on first use", async () => {
  const careless = precompiled(["key", "forgotten"], (db, v) =>
    db.selectFrom("setting").selectAll().where("key", "=", v.key),
  );
  await expect(careless(store.db, { key: "a", forgotten: 1 })).rejects.toThrow(
    "precompiled query leaves out forgotten",
  );
});
