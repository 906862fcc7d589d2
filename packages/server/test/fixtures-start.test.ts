// Starting from a known world: `beseda serve --fixture FILE` (BESEDA_FIXTURE) loads a fixture into
// an empty data dir and keeps a data dir that holds a world as it is, and a bad fixture stops the
// start with exit code 2; `--random-seed N` (BESEDA_RANDOM_SEED) makes the same ids, credentials
// and demo world on every start, others for another seed, and never repeats the ids a data dir
// already holds (after a restart or an import), so that creating more never collides.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Credentials, TestApi } from "./helpers/api.ts";
import { postMultipart } from "./helpers/media.ts";
import {
  bannerValue,
  runCli,
  type ServerProcess,
  startServerProcess,
} from "./helpers/server-process.ts";
import { startTestServer, type TestServer, tempDataDir } from "./helpers/test-server.ts";

type Fixture = {
  clock: { now_ms: number };
  accounts: { user_id: number; name: string; client_id: string; client_secret: string }[];
  items: { item_id: number }[];
  chats: { chat_id: string }[];
  messages: { id: string }[];
  images: { image_id: string }[];
  voices: { voice_id: string }[];
};

const dirs: string[] = [];
function dataDir(): string {
  const dir = tempDataDir();
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function exportOf(url: string, adminToken: string): Promise<Fixture> {
  const response = await new TestApi(url, adminToken).request("GET", "/sandbox/v1/export", {
    token: adminToken,
  });
  expect(response.status).toBe(200);
  return JSON.parse(response.text) as Fixture;
}

async function stopped(server: ServerProcess): Promise<void> {
  server.child.kill("SIGTERM");
  expect((await server.exited).code).toBe(0);
}

/** The ids of a world, section by section: what a seed must make the same. */
function idsOf(doc: Fixture) {
  return {
    accounts: doc.accounts.map((a) => [a.user_id, a.client_id, a.client_secret]).sort(),
    items: doc.items.map((i) => i.item_id).sort(),
    chats: doc.chats.map((c) => c.chat_id).sort(),
    messages: doc.messages.map((m) => m.id).sort(),
    images: doc.images.map((i) => i.image_id).sort(),
    voices: doc.voices.map((v) => v.voice_id).sort(),
  };
}

describe("--fixture", () => {
  let file: string;
  let fixture: Fixture;

  beforeAll(async () => {
    // A world worth loading: the demo's (photos and a voice message included).
    const source = await startTestServer({ demo: true });
    try {
      await new TestApi(source.url, source.adminToken).advanceClock(7200);
      const response = await fetch(`${source.url}/sandbox/v1/export`, {
        headers: { authorization: `Bearer ${source.adminToken}` },
      });
      const text = await response.text();
      fixture = JSON.parse(text) as Fixture;
      file = join(dataDir(), "world.json");
      writeFileSync(file, text);
    } finally {
      await source.stop();
    }
  });

  test("loads it into an empty data dir in the demo world's place; a restart keeps the world", async () => {
    const dir = dataDir();
    const server = await startServerProcess(dir, ["--fixture", file]);
    let added: Credentials;
    try {
      expect(server.stdout()).toContain(
        `fixture loaded from ${file}: 6 accounts, ${fixture.chats.length} chats, ${fixture.messages.length} messages`,
      );
      expect(server.stdout()).not.toContain("demo world seeded");
      const adminToken = bannerValue(server.stdout(), "sandbox admin token");
      const api = new TestApi(server.url, adminToken);
      // The fixture's credentials work; the sandbox time is the export's.
      const seller = fixture.accounts.find((a) => a.name.startsWith("Мебель")) as Credentials;
      const chats = await api.call<{ chats: unknown[] }>("getChatsV2", {
        token: await api.token(seller),
        params: { user_id: seller.user_id },
        query: { chat_types: "u2i,u2u,a2u" },
      });
      expect(chats.body.chats).toHaveLength(5);
      const clock = await api.sandbox<{ now: number }>("GET", "/clock");
      expect(clock.body.now * 1000).toBeGreaterThanOrEqual(fixture.clock.now_ms - 1000);
      expect(clock.body.now * 1000).toBeLessThan(fixture.clock.now_ms + 15_000);
      expect(idsOf(await exportOf(server.url, adminToken))).toEqual(idsOf(fixture));
      added = await api.createAccount("Добавлен после старта");
    } finally {
      await stopped(server);
    }
    // Started again the same way (through the env var this time): the world stays as it was.
    const again = await startServerProcess(dir, [], { BESEDA_FIXTURE: file });
    try {
      expect(again.stdout()).toContain(
        `fixture ${file} not loaded: the data dir already holds a world, kept as it is`,
      );
      const adminToken = bannerValue(again.stdout(), "sandbox admin token");
      const world = await exportOf(again.url, adminToken);
      expect(world.accounts.map((a) => a.user_id)).toContain(added.user_id);
      expect(world.accounts).toHaveLength(fixture.accounts.length + 1);
    } finally {
      await stopped(again);
    }
  });

  test.each([
    [
      "a fixture of another version",
      { format: "beseda-fixture", version: 2 },
      /version: must be 1/,
    ],
    [
      "a fixture with a dangling reference",
      "dangling",
      /not valid \(1 problem\)[\s\S]*items\[0\]\.user_id: is not the user_id of an account/,
    ],
    ["a file that is not JSON", "{ not json", /fixture .*world\.json: .*JSON/],
  ])("%s stops the start with exit code 2 and says why", async (_name, content, message) => {
    const dir = dataDir();
    const bad = join(dir, "world.json");
    let text = typeof content === "string" ? content : JSON.stringify(content);
    if (content === "dangling") {
      const doc = structuredClone(fixture) as Fixture & { items: { user_id: number }[] };
      (doc.items[0] as { user_id: number }).user_id = 11111111;
      text = JSON.stringify(doc);
    }
    writeFileSync(bad, text);
    const run = runCli(["serve", "--port", "0", "--data-dir", join(dir, "data"), "--fixture", bad]);
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(2);
    expect(run.stderr()).toMatch(message);
    expect(run.stdout()).not.toContain("listening");
  });

  test("a fixture file that cannot be read is a bad setting", async () => {
    const run = runCli([
      "serve",
      "--port",
      "0",
      "--data-dir",
      dataDir(),
      "--fixture",
      "/nope.json",
    ]);
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.stderr()).toContain("--fixture: cannot read the file /nope.json");
  });
});

describe("--random-seed", () => {
  test("the same seed makes the same ids and credentials on every start; another seed others", async () => {
    const worlds: { banner: string[]; ids: ReturnType<typeof idsOf> }[] = [];
    for (const [args, env] of [
      [["--random-seed", "42"], {}],
      [[], { BESEDA_RANDOM_SEED: "42" }],
      [["--random-seed", "43"], {}],
    ] as const) {
      const server = await startServerProcess(dataDir(), [...args], env);
      try {
        const out = server.stdout();
        expect(out).toMatch(/random seed 4[23]: ids and secrets are predictable/);
        const banner = ["user_id", "client_id", "client_secret"].map((label) =>
          bannerValue(out, label),
        );
        const ids = idsOf(await exportOf(server.url, bannerValue(out, "sandbox admin token")));
        worlds.push({ banner, ids });
      } finally {
        await stopped(server);
      }
    }
    const [first, second, other] = worlds as [
      (typeof worlds)[0],
      (typeof worlds)[0],
      (typeof worlds)[0],
    ];
    expect(second.banner).toEqual(first.banner);
    expect(second.ids).toEqual(first.ids);
    expect(first.ids.images).toHaveLength(2);
    expect(first.ids.voices).toHaveLength(1);
    expect(other.banner[0]).not.toBe(first.banner[0]);
    for (const section of Object.keys(first.ids) as (keyof typeof first.ids)[]) {
      const shared = other.ids[section].filter((id) =>
        first.ids[section].some((mine) => JSON.stringify(mine) === JSON.stringify(id)),
      );
      expect(shared, section).toEqual([]);
    }
  });

  describe("in one server", () => {
    let server: TestServer;
    let api: TestApi;

    beforeAll(async () => {
      server = await startTestServer({ demo: true, randomSeed: 9 });
      api = new TestApi(server.url, server.adminToken);
    });
    afterAll(() => server.stop());

    test("a reset builds the same demo world as the start, ids and credentials alike", async () => {
      const started = idsOf(await exportOf(server.url, server.adminToken));
      await api.createAccount("Лишний");
      const reset = await api.sandbox<{ demo: { seller: Credentials } }>("POST", "/reset", {});
      expect(reset.body.demo.seller.client_secret).toBe(server.demo?.seller.client_secret);
      expect(idsOf(await exportOf(server.url, server.adminToken))).toEqual(started);
    });

    test("after a restart on the same data dir, new ids never repeat the world's", async () => {
      // The world's ids come from the stream the import started (the fixture's accounts were
      // not drawn); the same steps on the same stream would draw the same chat id again.
      await api.sandbox("POST", "/reset", { demo: false });
      expect((await importInto(api, HAND_WRITTEN)).status).toBe(200);
      const [a, b, c] = HAND_WRITTEN.accounts.map((x) => x.user_id) as [number, number, number];
      const before = await api.openChat({ type: "u2u", user_ids: [a, b] });
      await api.text(before.chat_id, a, "До перезапуска");
      await server.close();
      server = await startTestServer({ dataDir: server.dataDir, randomSeed: 9 });
      api = new TestApi(server.url, server.adminToken);
      const after = await api.sandbox<{ chat_id: string }>("POST", "/chats", {
        type: "u2u",
        user_ids: [a, c],
      });
      expect(after.status, after.text).toBe(201);
      expect(after.body.chat_id).not.toBe(before.chat_id);
      const said = await api.sandbox("POST", `/chats/${after.body.chat_id}/messages`, {
        author_id: a,
        type: "text",
        content: { text: "После перезапуска" },
      });
      expect(said.status, said.text).toBe(201);
    });

    test("after an import of a world made with the same seed, new ids never repeat its ones", async () => {
      // A world grown by a server of the same seed from the same fixture: the same steps on the
      // same stream would draw its chat id again.
      await api.sandbox("POST", "/reset", { demo: false });
      expect((await importInto(api, HAND_WRITTEN)).status).toBe(200);
      const [a, b, c] = HAND_WRITTEN.accounts.map((x) => x.user_id) as [number, number, number];
      const grownChat = await api.openChat({ type: "u2u", user_ids: [a, b] });
      await api.text(grownChat.chat_id, a, "Выросло");
      const grown = await exportOf(server.url, server.adminToken);
      const fresh = await startTestServer({ randomSeed: 9 });
      try {
        const freshApi = new TestApi(fresh.url, fresh.adminToken);
        const imported = await importInto(freshApi, grown);
        expect(imported.status, imported.text).toBe(200);
        const chat = await freshApi.sandbox<{ chat_id: string }>("POST", "/chats", {
          type: "u2u",
          user_ids: [a, c],
        });
        expect(chat.status, chat.text).toBe(201);
        expect(chat.body.chat_id).not.toBe(grownChat.chat_id);
      } finally {
        await fresh.stop();
      }
    });
  });
  test("a data dir that holds only a voice file holds a world: a restart draws new ids, an import is refused", async () => {
    // The sandbox stores voice files without an account: their ids were drawn all the same.
    const voice = readFileSync(new URL("../assets/voice-sample.mp4", import.meta.url));
    const upload = (server: TestServer) =>
      postMultipart<{ voice_id: string }>(`${server.url}/sandbox/v1/voices`, server.adminToken, [
        { field: "file", bytes: voice, filename: "voice.mp4", type: "audio/mp4" },
      ]);
    let server = await startTestServer({ randomSeed: 5 });
    const first = await upload(server);
    expect(first.status, first.text).toBe(201);
    await server.close();
    server = await startTestServer({ dataDir: server.dataDir, randomSeed: 5 });
    try {
      const second = await upload(server);
      expect(second.status, second.text).toBe(201);
      expect(second.body.voice_id).not.toBe(first.body.voice_id);
      const refused = await importInto(new TestApi(server.url, server.adminToken), HAND_WRITTEN);
      expect(refused.status, refused.text).toBe(409);
    } finally {
      await server.stop();
    }
  });
});

/** A fixture written by hand: three accounts, nothing else, none of the optional fields. */
const HAND_WRITTEN = {
  format: "beseda-fixture",
  version: 1,
  accounts: [1, 2, 3].map((n) => ({
    user_id: 10_000_000 + n,
    name: `Пользователь ${n}`,
    kind: "user",
    profile_key: n.toString(16).padStart(32, "0"),
    client_id: `client-${n}`,
    client_secret: `secret-${n}`,
    created: 1_800_000_000,
  })),
  items: [],
  chats: [],
  messages: [],
  blacklist: [],
  webhook_subscriptions: [],
  images: [],
  voices: [],
};

function importInto(api: TestApi, document: unknown) {
  return api.request("POST", "/sandbox/v1/import", { token: api.adminToken, json: document });
}
