// The server as a process: the demo world and its printed credentials, the admin token kept in
// the data dir, --no-demo, configuration errors, graceful SIGTERM, and durability across kill -9.
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { newAdminToken } from "../src/server-secrets.ts";
import { TestApi } from "./helpers/api.ts";
import { bannerValue, runCli, startServerProcess } from "./helpers/server-process.ts";
import { tempDataDir } from "./helpers/test-server.ts";

const dirs: string[] = [];
function dataDir(): string {
  const dir = tempDataDir();
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface ChatList {
  chats: { id: string; last_message?: { type: string } }[];
}

describe("first start", () => {
  test("seeds the demo world, prints the seller's credentials and keeps the admin token", async () => {
    const dir = dataDir();
    const server = await startServerProcess(dir);
    try {
      const out = server.stdout();
      const adminToken = bannerValue(out, "sandbox admin token");
      const userId = Number(bannerValue(out, "user_id"));
      const credentials = {
        client_id: bannerValue(out, "client_id"),
        client_secret: bannerValue(out, "client_secret"),
      };
      expect(readFileSync(join(dir, "admin-token"), "utf8").trim()).toBe(adminToken);
      expect(statSync(join(dir, "admin-token")).mode & 0o777).toBe(0o600);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${server.url}/readyz`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: "ready" }]);

      const api = new TestApi(server.url, adminToken);
      const token = await api.token(credentials);
      const all = await api.call<ChatList>("getChatsV2", {
        token,
        params: { user_id: userId },
        query: { chat_types: "u2i,u2u,a2u" },
      });
      expect(all.status).toBe(200);
      const kinds = new Set(all.body.chats.map((c) => c.id.slice(0, 3)));
      expect(kinds).toEqual(new Set(["u2i", "u2u", "a2u"]));
      const unread = await api.call<ChatList>("getChatsV2", {
        token,
        params: { user_id: userId },
        query: { unread_only: true },
      });
      expect(unread.body.chats.length).toBeGreaterThan(0);
      expect(unread.body.chats.length).toBeLessThan(all.body.chats.length);
      const types = new Set<string>();
      for (const chat of all.body.chats) {
        const history = await api.call<{ type: string }[]>("getMessagesV3", {
          token,
          params: { user_id: userId, chat_id: chat.id },
        });
        for (const m of history.body) types.add(m.type);
      }
      for (const type of [
        "text",
        "link",
        "item",
        "location",
        "call",
        "system",
        "video",
        "file",
        "appCall",
        "deleted",
        "image",
        "voice",
      ]) {
        expect(types, type).toContain(type);
      }
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }

    // A second start on the same data dir seeds nothing and keeps the token.
    const again = await startServerProcess(dir);
    expect(again.stdout()).not.toContain("demo world");
    expect(bannerValue(again.stdout(), "sandbox admin token")).toBe(
      readFileSync(join(dir, "admin-token"), "utf8").trim(),
    );
    again.child.kill("SIGTERM");
    await again.exited;
  });

  test("--no-demo starts empty; BESEDA_ADMIN_TOKEN is used as given and not printed", async () => {
    const server = await startServerProcess(dataDir(), ["--no-demo"], {
      BESEDA_ADMIN_TOKEN: "a-token-of-my-own-choosing",
    });
    try {
      expect(server.stdout()).not.toContain("demo world");
      // A configured secret is not echoed.
      expect(server.stdout()).toContain("sandbox admin token: as configured");
      expect(server.stdout()).not.toContain("a-token-of-my-own-choosing");
      const api = new TestApi(server.url, "a-token-of-my-own-choosing");
      expect((await api.sandbox("GET", "/clock")).status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });
});

test.each([
  [["--port", "abc"], {}, /--port must be an integer/],
  [[], { PORT: "70000" }, /PORT must be between 0 and 65535/],
  [["--auth-errors", "loud"], {}, /--auth-errors must be one of production, document/],
  [["--public-url", "ftp://x"], {}, /--public-url must use http or https/],
  [["--admin-token", "short"], {}, /at least 16 characters/],
  [["--frobnicate"], {}, /Unknown option '--frobnicate'/],
])("a bad setting %j %j stops start-up with exit code 2", async (args, env, message) => {
  const run = runCli(["serve", "--data-dir", dataDir(), ...args], env);
  const { code } = await run.exited;
  expect(code).toBe(2);
  expect(run.stderr()).toMatch(message);
});

// A wrong or unreachable database fails start-up as a bad setting does: exit code 2 and one line
// naming the setting or the database (its password left out), never a stack trace.
test.each([
  [
    [],
    { BESEDA_DATABASE_URL: "mysql://x" },
    /^beseda: BESEDA_DATABASE_URL must be a postgres:\/\/ URL, got a mysql:\/\/ one$/,
  ],
  [
    ["--database-url", "SECRET"],
    {},
    /^beseda: --database-url must be a postgres:\/\/ URL, got something that is not a URL$/,
  ],
  [
    [],
    { BESEDA_DATABASE_URL: "postgres://u:SECRET@127.0.0.1:1/test" },
    /^beseda: cannot reach PostgreSQL at postgres:\/\/u@127\.0\.0\.1:1\/test \(BESEDA_DATABASE_URL or --database-url\): connect ECONNREFUSED 127\.0\.0\.1:1$/,
  ],
  [
    ["--database-url", "postgres://postgres:SECRET@127.0.0.1:5432/beseda_no_such_database"],
    {},
    /^beseda: cannot open the PostgreSQL store at postgres:\/\/postgres@127\.0\.0\.1:5432\/beseda_no_such_database \(BESEDA_DATABASE_URL or --database-url\): database "beseda_no_such_database" does not exist$/,
  ],
])(
  "a bad database %j %j stops start-up with exit code 2 and one line",
  async (args, env, message) => {
    const run = runCli(["serve", "--port", "0", "--data-dir", dataDir(), ...args], env);
    const { code } = await run.exited;
    expect(code).toBe(2);
    const lines = run.stderr().trimEnd().split("\n");
    expect(lines, run.stderr()).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(run.stderr() + run.stdout()).not.toContain("SECRET");
  },
);

/** Sends a request whose body arrives in two parts, `between()` running after the first. */
function slowRequest(url: string, token: string, body: string, between: () => Promise<void>) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = httpRequest(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      },
    });
    request.on("response", (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on("error", reject);
    const half = Math.floor(body.length / 2);
    request.write(body.slice(0, half));
    between().then(() => request.end(body.slice(half)), reject);
  });
}

test("SIGTERM lets an in-flight request finish, then closes the store cleanly", async () => {
  const dir = dataDir();
  const server = await startServerProcess(dir, ["--no-demo"]);
  const adminToken = bannerValue(server.stdout(), "sandbox admin token");
  let exitedEarly = false;
  void server.exited.then(() => {
    exitedEarly = true;
  });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const response = await slowRequest(
    `${server.url}/sandbox/v1/accounts`,
    adminToken,
    JSON.stringify({ name: "Поздний клиент" }),
    async () => {
      await pause(200);
      server.child.kill("SIGTERM");
      await pause(300);
      // Still running: the request is in flight.
      expect(exitedEarly).toBe(false);
    },
  );
  expect(response.status).toBe(201);
  const account = JSON.parse(response.text) as {
    name: string;
    client_id: string;
    client_secret: string;
  };
  expect(account.name).toBe("Поздний клиент");
  const { code } = await server.exited;
  expect(code).toBe(0);
  // A clean close checkpoints the WAL and removes it.
  expect(existsSync(join(dir, "beseda.sqlite-wal"))).toBe(false);
  // And the account it acknowledged is there after a restart.
  const again = await startServerProcess(dir, ["--no-demo"]);
  try {
    await expect(new TestApi(again.url, adminToken).token(account)).resolves.toEqual(
      expect.any(String),
    );
  } finally {
    again.child.kill("SIGTERM");
    await again.exited;
  }
});

test("every acknowledged message survives kill -9", async () => {
  const dir = dataDir();
  const server = await startServerProcess(dir, ["--no-demo"]);
  const adminToken = bannerValue(server.stdout(), "sandbox admin token");
  const api = new TestApi(server.url, adminToken);
  const seller = await api.createAccount("Продавец");
  const buyer = await api.createAccount("Покупатель");
  const { item_id } = await api.createItem(seller.user_id, "Лампа");
  const { chat_id } = await api.openChat({ type: "u2i", item_id, user_id: buyer.user_id });
  const token = await api.token(seller);
  const acknowledged: string[] = [];
  const sends = Array.from({ length: 60 }, async (_, i) => {
    const response = await api.call<{ id: string }>("postSendMessage", {
      token,
      params: { user_id: seller.user_id, chat_id },
      json: { message: { text: `Сообщение ${i}` }, type: "text" },
    });
    if (response.status === 200) acknowledged.push(response.body.id);
  });
  await Promise.all(sends);
  server.child.kill("SIGKILL");
  await server.exited;
  expect(acknowledged).toHaveLength(60);

  const restarted = await startServerProcess(dir, ["--no-demo"]);
  try {
    const restartedApi = new TestApi(restarted.url, adminToken);
    const history = await restartedApi.call<{ id: string }[]>("getMessagesV3", {
      token,
      params: { user_id: seller.user_id, chat_id },
      query: { limit: 100 },
    });
    expect(history.status).toBe(200);
    expect(new Set(history.body.map((m) => m.id))).toEqual(new Set(acknowledged));
  } finally {
    restarted.child.kill("SIGTERM");
    await restarted.exited;
  }
});

test("a generated admin token never starts with a dash, which a command line would take for an option", () => {
  // One in 64 would without the redraw: 2,000 draws all but certainly meet one.
  const tokens = Array.from({ length: 2000 }, newAdminToken);
  for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{31}$/);
});
