// `beseda seed`: the real command in a child process fills a data dir, then a real server is
// started on it. The rows must be what the API would have written (every invariant the domain
// keeps, checked with SQL), the manifest's credentials must work, and the API must serve the hot
// seller's chats and messages from them. A second seed into the same dir is refused.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ChatView } from "../src/domain/views/chat-view.ts";
import type { MessageView } from "../src/domain/views/message-view.ts";
import { TestApi } from "./helpers/api.ts";
import { runCli } from "./helpers/server-process.ts";
import { TEST_DIALECT, testDatabaseFor } from "./helpers/test-database.ts";
import { startTestServer, type TestServer, tempDataDir } from "./helpers/test-server.ts";

const CHATS = 200;
const MESSAGES = 5000;
const CHAT_ID = /^(u2i|u2u|a2u)-[A-Za-z0-9_~]{22}$/;
const MESSAGE_ID = /^[0-9a-f]{32}$/;
const DAY = 86_400;

interface Manifest {
  seller: { user_id: number; client_id: string; client_secret: string };
  chat_ids: string[];
  busiest_chat_id: string;
  chats: number;
  messages: number;
  accounts: number;
  seconds: number;
}

let dataDir: string;
let seed: { code: number | null; stdout: string; stderr: string };
let manifest: Manifest;
let server: TestServer;
let api: TestApi;

/** Where `beseda seed` writes for a data dir: the dir's SQLite file, or its PostgreSQL schema. */
async function storeArgs(dir: string): Promise<string[]> {
  const { databaseUrl } = await testDatabaseFor(dir);
  return ["--data-dir", dir, ...(databaseUrl === null ? [] : ["--database-url", databaseUrl])];
}

beforeAll(async () => {
  dataDir = tempDataDir();
  const run = runCli([
    "seed",
    ...(await storeArgs(dataDir)),
    "--chats",
    String(CHATS),
    "--messages",
    String(MESSAGES),
  ]);
  const { code } = await run.exited;
  seed = { code, stdout: run.stdout(), stderr: run.stderr() };
  if (code !== 0) throw new Error(`seed exited with ${code}: ${run.stderr()}`);
  manifest = JSON.parse(readFileSync(join(dataDir, "seed-manifest.json"), "utf8")) as Manifest;
  server = await startTestServer({ dataDir });
  api = new TestApi(server.url, server.adminToken);
}, 60_000);
afterAll(() => server?.stop());

/** The first column of the first row of a query: a count of violations, usually. */
async function scalar(query: ReturnType<typeof sql>): Promise<number> {
  const { rows } = await query.execute(server.ctx.store.db);
  return Number(Object.values((rows[0] ?? {}) as Record<string, unknown>)[0]);
}

describe("the command", () => {
  test("reports progress on stderr and a one-line summary on stdout", () => {
    expect(seed.code).toBe(0);
    expect(seed.stderr).toContain("100%");
    expect(seed.stdout.trim().split("\n")).toHaveLength(1);
    expect(seed.stdout).toContain(`seeded ${CHATS} chats, ${MESSAGES} messages`);
  });

  test("writes a manifest that matches the store", async () => {
    expect(manifest).toMatchObject({ chats: CHATS, messages: MESSAGES });
    expect(manifest.accounts).toBe(await scalar(sql`select count(*) from account`));
    expect(manifest.seconds).toBeGreaterThan(0);
    expect(manifest.chat_ids.length).toBeGreaterThan(0);
    expect(manifest.chat_ids.length).toBeLessThanOrEqual(100);
    const seller = manifest.seller.user_id;
    for (const id of manifest.chat_ids) {
      const row = await scalar(
        sql`select count(*) from chat_member where chat_id = ${id} and user_id = ${seller} and chat_type = 'u2i'`,
      );
      expect(row, id).toBe(1);
    }
    const busiest = await scalar(
      sql`select c.id from chat c join chat_member cm on cm.chat_id = c.id
          where cm.user_id = ${seller} order by c.last_seq desc limit 1`,
    );
    const busiestSeq = await scalar(
      sql`select last_seq from chat where id = ${manifest.busiest_chat_id}`,
    );
    const maxSeq = await scalar(
      sql`select max(c.last_seq) from chat c join chat_member cm on cm.chat_id = c.id
          where cm.user_id = ${seller}`,
    );
    expect(busiest).toBeDefined();
    expect(busiestSeq).toBe(maxSeq);
  });

  test("refuses a data dir that already holds accounts, changing nothing", async () => {
    const before = readFileSync(join(dataDir, "seed-manifest.json"), "utf8");
    const run = runCli([
      "seed",
      ...(await storeArgs(dataDir)),
      "--chats",
      "10",
      "--messages",
      "10",
    ]);
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.stderr()).toContain("already holds accounts");
    expect(readFileSync(join(dataDir, "seed-manifest.json"), "utf8")).toBe(before);
    expect(await scalar(sql`select count(*) from chat`)).toBe(CHATS);
  });

  test("refuses bad flags with exit code 2", async () => {
    const run = runCli(["seed", "--data-dir", tempDataDir(), "--chats", "many"]);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toContain("--chats must be an integer");
  });
});

describe("the world", () => {
  test("has the requested numbers of chats and messages and about chats/4 accounts", async () => {
    expect(await scalar(sql`select count(*) from chat`)).toBe(CHATS);
    expect(await scalar(sql`select count(*) from message`)).toBe(MESSAGES);
    expect(await scalar(sql`select count(*) from chat_member`)).toBe(2 * CHATS);
    expect(await scalar(sql`select count(*) from account`)).toBe(CHATS / 4);
    expect(await scalar(sql`select count(*) from account where kind = 'avito'`)).toBe(1);
  });

  test("is mostly u2i, some u2u, a few a2u, a fifth of it about the hot seller's items", async () => {
    const ofType = (type: string) => scalar(sql`select count(*) from chat where type = ${type}`);
    expect(await ofType("u2i")).toBe(0.8 * CHATS);
    expect(await ofType("u2u")).toBe(0.15 * CHATS);
    expect(await ofType("a2u")).toBe(0.05 * CHATS);
    expect(
      await scalar(
        sql`select count(*) from chat c join item i on i.id = c.item_id
            where i.owner_id = ${manifest.seller.user_id}`,
      ),
    ).toBe(0.2 * CHATS);
  });

  test("has messages per chat following a power law", async () => {
    const { rows } = await sql<{ n: number }>`select last_seq as n from chat order by n`.execute(
      server.ctx.store.db,
    );
    const counts = rows.map((r) => Number(r.n));
    const median = counts[Math.floor(counts.length / 2)] ?? 0;
    const max = counts.at(-1) ?? 0;
    expect(counts[0]).toBeGreaterThanOrEqual(1);
    expect(max).toBeGreaterThan(10 * median);
    expect(max).toBeGreaterThanOrEqual(100);
  });

  test("has mostly text messages, and only Avito's system messages in a2u chats", async () => {
    expect(await scalar(sql`select count(*) from message where type = 'text'`)).toBeGreaterThan(
      0.8 * MESSAGES,
    );
    expect(
      await scalar(
        sql`select count(*) from message m join chat c on c.id = m.chat_id
            join account a on a.id = m.author_id
            where c.type = 'a2u' and (m.type != 'system' or a.kind != 'avito')`,
      ),
    ).toBe(0);
    const types = await sql<{ type: string }>`select distinct type from message`.execute(
      server.ctx.store.db,
    );
    expect(types.rows.map((r) => r.type)).toEqual(
      expect.arrayContaining(["text", "system", "link", "item", "location", "call"]),
    );
  });

  test("leaves about a fifth of the chats with unread messages for one side", async () => {
    const unread = await scalar(
      sql`select count(distinct chat_id) from chat_member where unread_count > 0`,
    );
    expect(unread).toBeGreaterThan(0.1 * CHATS);
    expect(unread).toBeLessThan(0.3 * CHATS);
    expect(
      await scalar(sql`select count(*) from (select chat_id from chat_member
        where unread_count > 0 group by chat_id having count(*) > 1) as twice`),
    ).toBe(0);
  });
});

describe("invariants the domain keeps", () => {
  test("chat.last_seq is the number of messages, numbered 1..n", async () => {
    expect(
      await scalar(sql`select count(*) from chat c
        where c.last_seq != (select count(*) from message m where m.chat_id = c.id)`),
    ).toBe(0);
    expect(
      await scalar(sql`select count(*) from message m join chat c on c.id = m.chat_id
        where m.seq < 1 or m.seq > c.last_seq`),
    ).toBe(0);
  });

  test("chat.last_message_id is the newest message and chat.updated its time", async () => {
    expect(
      await scalar(sql`select count(*) from chat c
        left join message m on m.chat_id = c.id and m.seq = c.last_seq
        where m.id is distinct from c.last_message_id
           or c.updated != coalesce(m.created, c.created)
           or c.created > c.updated`),
    ).toBe(0);
  });

  test("messages are in time order within a chat, over the last 90 days", async () => {
    expect(
      await scalar(sql`select count(*) from message a
        join message b on b.chat_id = a.chat_id and b.seq = a.seq + 1
        where b.created <= a.created`),
    ).toBe(0);
    const now = server.ctx.clock.now();
    expect(await scalar(sql`select min(created) from message`)).toBeGreaterThanOrEqual(
      now - 90 * DAY - 60,
    );
    expect(await scalar(sql`select max(created) from message`)).toBeLessThanOrEqual(now);
    expect(
      await scalar(sql`select count(*) from chat c
        where c.created > (select min(created) from message m where m.chat_id = c.id)`),
    ).toBe(0);
  });

  test("chat_member rows mirror their chat, two per chat", async () => {
    expect(
      await scalar(sql`select count(*) from chat_member cm join chat c on c.id = cm.chat_id
        where cm.updated != c.updated or cm.chat_type != c.type or cm.item_id is distinct from c.item_id`),
    ).toBe(0);
    expect(
      await scalar(sql`select count(*) from chat c
        where (select count(distinct user_id) from chat_member cm where cm.chat_id = c.id) != 2`),
    ).toBe(0);
  });

  test("authors are members of the chat", async () => {
    expect(
      await scalar(sql`select count(*) from message m where not exists (
        select 1 from chat_member cm where cm.chat_id = m.chat_id and cm.user_id = m.author_id)`),
    ).toBe(0);
  });

  test("unread_count counts the other side's messages after the member's last read", async () => {
    expect(
      await scalar(sql`select count(*) from chat_member cm
        where cm.unread_count != (select count(*) from message m
          where m.chat_id = cm.chat_id and m.author_id != cm.user_id and m.read_at is null)
        or cm.unread_count != (select count(*) from message m
          where m.chat_id = cm.chat_id and m.author_id != cm.user_id
            and m.created > coalesce(cm.last_read_at, -1))`),
    ).toBe(0);
  });

  test("message.read_at agrees with the reader's last_read_at", async () => {
    expect(
      await scalar(sql`select count(*) from message m
        join chat_member cm on cm.chat_id = m.chat_id and cm.user_id != m.author_id
        where (m.read_at is null) != (cm.last_read_at is null or m.created > cm.last_read_at)
           or m.read_at > cm.last_read_at
           or m.read_at < m.created`),
    ).toBe(0);
    // A member that read nothing has no read mark.
    expect(
      await scalar(sql`select count(*) from chat_member cm
        where cm.last_read_at is not null and not exists (select 1 from message m
          where m.chat_id = cm.chat_id and m.author_id != cm.user_id and m.read_at is not null)`),
    ).toBe(0);
  });

  test("deleted messages look like the API's: empty content, deleted within the hour", async () => {
    expect(
      await scalar(sql`select count(*) from message
        where (type = 'deleted') != (deleted_at is not null)
           or (type = 'deleted' and (content != '{}' or deleted_at - created > 3600))`),
    ).toBe(0);
  });

  test("quotes point at messages of the same chat", async () => {
    expect(
      await scalar(sql`select count(*) from message m left join message q on q.id = m.quote_id
        where m.quote_id is not null and (q.id is null or q.chat_id != m.chat_id)`),
    ).toBe(0);
  });

  test("ids are shaped like production's and safe as JSON numbers", async () => {
    const db = server.ctx.store.db;
    const chats = await db.selectFrom("chat").select(["id", "type"]).execute();
    for (const chat of chats) {
      expect(chat.id).toMatch(CHAT_ID);
      expect(chat.id.startsWith(`${chat.type}-`)).toBe(true);
    }
    const messages = await db.selectFrom("message").select("id").execute();
    for (const message of messages) expect(message.id).toMatch(MESSAGE_ID);
    for (const { id } of await db.selectFrom("account").select("id").execute()) {
      expect(Number.isSafeInteger(Number(id))).toBe(true);
      expect(String(id)).toMatch(/^\d{8,10}$/);
    }
    for (const { id } of await db.selectFrom("item").select("id").execute()) {
      expect(Number.isSafeInteger(Number(id))).toBe(true);
      expect(Number(id)).toBeGreaterThan(2 ** 31);
    }
  });

  test("u2i chats have an item owned by the seller, u2u two users, a2u Avito and a user", async () => {
    expect(
      await scalar(sql`select count(*) from chat c left join item i on i.id = c.item_id
        where c.type = 'u2i' and (i.id is null
          or (select count(*) from chat_member cm
              where cm.chat_id = c.id and cm.user_id = i.owner_id) != 1
          or c.pair_key != 'u2i:' || i.id || ':' || (select user_id from chat_member cm
              where cm.chat_id = c.id and cm.user_id != i.owner_id))`),
    ).toBe(0);
    expect(
      await scalar(
        sql`select count(*) from chat c where c.type != 'u2i' and c.item_id is not null`,
      ),
    ).toBe(0);
    expect(
      await scalar(sql`select count(*) from chat c where c.type = 'u2u' and (
        select count(*) from chat_member cm join account a on a.id = cm.user_id
        where cm.chat_id = c.id and a.kind = 'user') != 2`),
    ).toBe(0);
    expect(
      await scalar(sql`select count(*) from chat c where c.type = 'a2u' and (
        select count(*) from chat_member cm join account a on a.id = cm.user_id
        where cm.chat_id = c.id and a.kind = 'avito') != 1`),
    ).toBe(0);
  });

  test("the reads of the API are index-backed", async () => {
    const chatsList = sql`select * from chat_member where user_id = ${manifest.seller.user_id}
        and chat_type in ('u2i', 'u2u', 'a2u') order by updated desc, chat_id desc limit 100`;
    const messagesList = sql`select * from message where chat_id = ${manifest.busiest_chat_id}
        order by seq desc limit 100`;
    if (TEST_DIALECT === "postgres") {
      // A table this small is cheaper to scan: the planner is asked whether an index can serve.
      const plans = await server.ctx.store.transaction(async (tx) => {
        await sql`set local enable_seqscan = off`.execute(tx);
        const plan = async (query: typeof chatsList) =>
          (await sql<Record<string, string>>`explain ${query}`.execute(tx)).rows
            .map((row) => Object.values(row).join(""))
            .join("\n");
        return { chats: await plan(chatsList), messages: await plan(messagesList) };
      });
      // The account's rows come from an index; with several chat types PostgreSQL sorts the
      // account's rows rather than merging the index's ranges (a matter for fast reads).
      expect(plans.chats).toMatch(
        /Index (Only )?Scan (Backward )?(using|on) chat_member_(list|item)/,
      );
      expect(plans.messages).toMatch(/Index (Only )?Scan (Backward )?using message_chat_seq/);
      return;
    }
    const plan = await sql<{ detail: string }>`explain query plan ${chatsList}`.execute(
      server.ctx.store.db,
    );
    expect(plan.rows.map((r) => r.detail).join("\n")).toMatch(
      /USING (COVERING )?INDEX chat_member_list/,
    );
    const messages = await sql<{ detail: string }>`explain query plan ${messagesList}`.execute(
      server.ctx.store.db,
    );
    expect(messages.rows.map((r) => r.detail).join("\n")).toMatch(/USING INDEX/);
  });
});

describe("the API on the seeded data dir", () => {
  let token: string;
  const seller = () => manifest.seller.user_id;

  beforeAll(async () => {
    token = await api.token(manifest.seller);
  });

  test("lists the hot seller's chats of every type, newest activity first", async () => {
    const own = await scalar(sql`select count(*) from chat_member where user_id = ${seller()}`);
    const response = await api.call<{ chats: ChatView[] }>("getChatsV2", {
      token,
      params: { user_id: seller() },
      query: { chat_types: "u2i,u2u,a2u", limit: 100 },
    });
    expect(response.status, response.text).toBe(200);
    const { chats } = response.body;
    expect(chats).toHaveLength(Math.min(100, own));
    const updated = chats.map((c) => c.updated);
    expect(updated).toEqual([...updated].sort((a, b) => b - a));
    expect(
      chats.some((c) => c.id.startsWith("u2i-") && c.context?.value.user_id === seller()),
    ).toBe(true);
    expect(chats.some((c) => c.id.startsWith("a2u-"))).toBe(true);
  });

  test("answers getMessagesV3 on the busiest chat with 100 messages, newest first", async () => {
    const response = await api.call<MessageView[]>("getMessagesV3", {
      token,
      params: { user_id: seller(), chat_id: manifest.busiest_chat_id },
      query: { limit: 100, offset: 0 },
    });
    expect(response.status, response.text).toBe(200);
    const messages = response.body;
    expect(messages).toHaveLength(100);
    const created = messages.map((m) => m.created);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const chat = await server.ctx.store.db
      .selectFrom("chat")
      .select("last_message_id")
      .where("id", "=", manifest.busiest_chat_id)
      .executeTakeFirstOrThrow();
    expect(messages[0]?.id).toBe(chat.last_message_id);
  });

  test("unread_only lists some chats, each with unread messages for the seller", async () => {
    const response = await api.call<{ chats: ChatView[] }>("getChatsV2", {
      token,
      params: { user_id: seller() },
      query: { chat_types: "u2i,u2u,a2u", unread_only: true, limit: 100 },
    });
    expect(response.status, response.text).toBe(200);
    const { chats } = response.body;
    expect(chats.length).toBeGreaterThan(0);
    const unread = await scalar(
      sql`select count(*) from chat_member where user_id = ${seller()} and unread_count > 0`,
    );
    expect(chats).toHaveLength(Math.min(100, unread));
    for (const chat of chats) expect(chat.last_message?.direction).toBe("in");
  });

  test("opens every listed chat of the manifest", async () => {
    for (const chatId of manifest.chat_ids.slice(0, 10)) {
      const response = await api.call<ChatView>("getChatByIdV2", {
        token,
        params: { user_id: seller(), chat_id: chatId },
      });
      expect(response.status, response.text).toBe(200);
    }
  });
});
