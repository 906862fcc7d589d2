// PostgreSQL's store under concurrent transactions (it always runs on PostgreSQL, whatever the
// project). The hazards of READ COMMITTED for webhook streams, provoked step by step with two
// transactions held open: a send writing a delivery queued behind its stream's head while the
// flush that finishes that head looks for a successor, and a retry written queued by a pause while
// the resume promotes what the pause held back. Each is shown first without the lock that closes
// it, so the test proves the race is real, then with it.
import { type ControlledTransaction, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { insertAccount } from "../src/store/repositories/accounts.ts";
import { insertChat } from "../src/store/repositories/chats.ts";
import { bumpReadVersions, readVersionsOf } from "../src/store/repositories/read-versions.ts";
import { insertDelivery, nextChatEvent } from "../src/store/repositories/webhook-outbox.ts";
import { pauseDeliveries, unpause } from "../src/store/repositories/webhook-pauses.ts";
import {
  lockStreams,
  markDelivered,
  promoteNext,
  promoteStreamHeads,
  updateDelivery,
} from "../src/store/repositories/webhook-queue.ts";
import type { Database } from "../src/store/schema.ts";
import { openStore, type Store } from "../src/store/store.ts";
import {
  dropPostgresSchema,
  POSTGRES_TEST_URL,
  postgresSchemaUrl,
  testSchemaOf,
} from "./helpers/test-database.ts";

const SCHEMA = testSchemaOf("store-postgres.test.ts");
const SELLER = 1_000_001;
const BUYER = 1_000_002;
const CHAT = "u2u-store-postgres-race";
const NOW = 1_800_000_000_000;
const LEASE = { untilMs: NOW + 30_000, node: "store-postgres-test" };

let store: Store;

beforeAll(async () => {
  store = await openStore({ dataDir: "unused", databaseUrl: await postgresSchemaUrl(SCHEMA) });
  for (const id of [SELLER, BUYER]) {
    await insertAccount(store.db, {
      id,
      name: `account ${id}`,
      kind: "user",
      profileKey: `profile-${id}`,
      clientId: `client-${id}`,
      clientSecret: "secret",
      created: 1,
    });
  }
  await insertChat(
    store.db,
    {
      id: CHAT,
      type: "u2u",
      itemId: null,
      pairKey: CHAT,
      created: 1,
      updated: 1,
      lastMessageId: null,
      lastSeq: 0,
    },
    [SELLER, BUYER],
  );
});

afterAll(async () => {
  await store?.close();
  await dropPostgresSchema(SCHEMA);
});

beforeEach(async () => {
  await store.db.deleteFrom("webhook_delivery").execute();
  await store.db.deleteFrom("webhook_pause").execute();
});

let deliveries = 0;

/** A delivery of the seller's stream for the chat, as the outbox writes one. */
async function writeDelivery(db: Store["db"] | ControlledTransaction<Database>): Promise<{
  id: string;
  status: "pending" | "queued";
}> {
  const id = `delivery-${++deliveries}`;
  const position = await nextChatEvent(db, CHAT);
  const status = await insertDelivery(
    db,
    {
      id,
      userId: SELLER,
      chatId: CHAT,
      position,
      messageId: `message-${deliveries}`,
      event: "message",
      body: "{}",
      attempts: 0,
      step: 0,
      windowStartMs: NOW,
      nextAttemptMs: NOW,
      createdMs: NOW,
      finishedMs: null,
    },
    LEASE,
  );
  return { id, status };
}

async function statusOf(id: string): Promise<string | undefined> {
  const row = await store.db
    .selectFrom("webhook_delivery")
    .select("status")
    .where("id", "=", id)
    .executeTakeFirst();
  return row?.status;
}

/** Settles with "settled", or "waiting" if `promise` has not settled after `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<"settled" | "waiting"> {
  const timer = new Promise<"waiting">((resolve) => setTimeout(() => resolve("waiting"), ms));
  return Promise.race([promise.then(() => "settled" as const), timer]);
}

/**
 * The flush of an attempt that got its 200: the head is delivered and its stream's next delivery
 * promoted, in one transaction, as the dispatcher writes it.
 */
function finishHead(headId: string, withLock: boolean) {
  return store.transaction(async (tx) => {
    if (withLock) await lockStreams(tx, [CHAT]);
    await markDelivered(tx, [headId], NOW + 10);
    return promoteNext(tx, SELLER, CHAT, NOW + 10, LEASE);
  });
}

test("without the chat's lock, a send's delivery written queued while its head finishes is stranded", async () => {
  const head = await writeDelivery(store.db);
  expect(head.status).toBe("pending");
  const send = await store.db.startTransaction().execute();
  const next = await writeDelivery(send);
  expect(next.status).toBe("queued");
  // The flush does not see the send's uncommitted delivery, and nothing makes it wait.
  expect(await finishHead(head.id, false)).toBeUndefined();
  await send.commit().execute();
  expect(await statusOf(head.id)).toBe("delivered");
  expect(await statusOf(next.id)).toBe("queued");
});

test("with the chat's lock, the flush waits for the send and promotes its delivery", async () => {
  const head = await writeDelivery(store.db);
  const send = await store.db.startTransaction().execute();
  const next = await writeDelivery(send);
  expect(next.status).toBe("queued");
  const flush = finishHead(head.id, true);
  expect(await within(flush, 300)).toBe("waiting");
  await send.commit().execute();
  expect((await flush)?.id).toBe(next.id);
  expect(await statusOf(next.id)).toBe("pending");
});

test("with the chat's lock, a send that comes after the flush locked sees the head finished", async () => {
  const head = await writeDelivery(store.db);
  const flush = await store.db.startTransaction().execute();
  await lockStreams(flush, [CHAT]);
  await markDelivered(flush, [head.id], NOW + 10);
  expect(await promoteNext(flush, SELLER, CHAT, NOW + 10, LEASE)).toBeUndefined();
  const send = store.transaction((tx) => writeDelivery(tx));
  expect(await within(send, 300)).toBe("waiting");
  await flush.commit().execute();
  // The send's statements after the wait see the head delivered: its delivery is the new head.
  expect((await send).status).toBe("pending");
});

test("a retry written queued by a pause is promoted by the resume that raced it", async () => {
  const head = await writeDelivery(store.db);
  await pauseDeliveries(store.db, SELLER, NOW);
  expect(await statusOf(head.id)).toBe("queued");
  // Its attempt was in flight when the pause came; the answer, a 500, is written as a retry.
  const flush = await store.db.startTransaction().execute();
  const written = await updateDelivery(flush, head.id, {
    status: "pending",
    attempts: 1,
    step: 1,
    nextAttemptMs: NOW + 5_000,
    finishedMs: null,
  });
  expect(written).toBe("queued");
  const resume = store.transaction(async (tx) => {
    await unpause(tx, SELLER);
    return promoteStreamHeads(tx, SELLER, NOW + 20);
  });
  // The retry read the pause FOR SHARE: the resume's delete waits for it.
  expect(await within(resume, 300)).toBe("waiting");
  await flush.commit().execute();
  expect([...(await resume)]).toEqual([head.id]);
  expect(await statusOf(head.id)).toBe("pending");
});

test("int8 columns read back as numbers, and the migrations' tables live in the store's schema", async () => {
  const row = await store.db
    .selectFrom("chat")
    .select(["event_seq", "created"])
    .where("id", "=", CHAT)
    .executeTakeFirstOrThrow();
  expect(typeof row.event_seq).toBe("number");
  const { rows } = await sql<{ schema: string }>`
    select table_schema as schema from information_schema.tables
    where table_name = 'kysely_migration'`.execute(store.db);
  expect(rows.map((r) => r.schema)).toContain(SCHEMA);
});

test("a store opens (and migrates) while other schemas of its database come and go", async () => {
  const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await admin.connect();
  let churning = true;
  // Another Beseda's schemas, made and dropped as fast as the database allows.
  const churn = (async () => {
    for (let i = 0; churning; i++) {
      const name = `${SCHEMA}_churn_${i % 4}`;
      await admin.query(`create schema if not exists "${name}"`);
      await admin.query(`create table if not exists "${name}".account (id bigint primary key)`);
      await admin.query(`drop schema "${name}" cascade`);
    }
  })();
  try {
    for (let i = 0; i < 8; i++) {
      const schema = `${SCHEMA}_open_${i}`;
      const opened = await openStore({
        dataDir: "unused",
        databaseUrl: await postgresSchemaUrl(schema),
      });
      await opened.close();
      await dropPostgresSchema(schema);
    }
  } finally {
    churning = false;
    await churn;
    await admin.end();
  }
});

test("one statement reads many scopes' versions, each with the world's, in the order asked", async () => {
  const world = "store-postgres-test-world";
  await store.db.insertInto("setting").values({ key: world, value: "7" }).execute();
  await bumpReadVersions(store.db, ["c-one", "a-two"]);
  await bumpReadVersions(store.db, ["a-two"]);
  expect(await readVersionsOf(store.db, ["a-two", "never-bumped", "c-one"], world)).toEqual([
    "2:7",
    "0:7",
    "1:7",
  ]);
  expect(await readVersionsOf(store.db, ["c-one"], world)).toEqual(["1:7"]);
});
