// Losing the database while running (issue 14, "Bad input"): a server on PostgreSQL reached
// through a TCP proxy, which the test cuts (every connection broken, new ones refused), stalls
// (connections open, bytes held) and restores. While it is cut every request that needs the
// database answers 503 at once, in its route's envelope, with Retry-After, and /readyz says so;
// while it hangs /readyz says so within its 2 s; once it is back the same requests succeed, and
// nothing acknowledged before or during the cut is lost.
//
// Always on PostgreSQL, whatever BESEDA_TEST_STORE says: SQLite is a file of the process and
// cannot be lost this way.
import { rmSync } from "node:fs";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_CONFIG } from "../src/config.ts";
import { type RunningServer, startServer } from "../src/server.ts";
import { type ApiResponse, TestApi } from "./helpers/api.ts";
import { startTcpProxy, type TcpProxy } from "./helpers/tcp-proxy.ts";
import {
  dropPostgresSchema,
  POSTGRES_TEST_URL,
  postgresSchemaUrl,
  testSchemaOf,
} from "./helpers/test-database.ts";
import { tempDataDir } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

/**
 * Longest a request may take while the database is away: it must fail fast, not hang. Generous,
 * for two busy cores: a hang is the pool's 5 s connection timeout or more, never met here.
 */
const FAST_MS = 4_500;

const UNAVAILABLE = {
  error: { code: 503, message: "The database cannot be reached; retry in a few seconds" },
};

interface LogLine {
  level: number;
  msg: string;
}

const logs: LogLine[] = [];
const dataDir = tempDataDir();
const schema = testSchemaOf(dataDir);
let proxy: TcpProxy;
let server: RunningServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  const direct = new URL(POSTGRES_TEST_URL);
  proxy = await startTcpProxy({
    host: direct.hostname,
    port: Number(direct.port || 5432),
  });
  const url = new URL(await postgresSchemaUrl(schema));
  url.hostname = "127.0.0.1";
  url.port = String(proxy.port);
  // The server's own log, read by the test: a lost database is a warning, not a server fault.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) {
        if (line !== "") logs.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  server = await startServer(
    { ...DEFAULT_CONFIG, port: 0, demo: false, logLevel: "warn", dataDir, databaseUrl: url.href },
    pino({ level: "warn" }, sink),
  );
  api = new TestApi(server.url, server.adminToken);
  w = await makeWorld(api);
}, 30_000);

afterAll(async () => {
  proxy?.restore();
  await server?.close();
  await proxy?.close();
  await dropPostgresSchema(schema);
  rmSync(dataDir, { recursive: true, force: true });
});

function read(): Promise<ApiResponse<{ id: string }[]>> {
  return api.call<{ id: string }[]>("getMessagesV3", {
    token: w.sellerToken,
    params: { user_id: w.seller.user_id, chat_id: w.chatId },
    query: { limit: 100 },
  });
}

function send(text: string): Promise<ApiResponse<{ id: string }>> {
  return api.call<{ id: string }>("postSendMessage", {
    token: w.sellerToken,
    params: { user_id: w.seller.user_id, chat_id: w.chatId },
    json: { message: { text }, type: "text" },
  });
}

/** Runs `request` and says how long it took. */
async function timed<T>(request: () => Promise<T>): Promise<{ answer: T; ms: number }> {
  const started = performance.now();
  const answer = await request();
  return { answer, ms: performance.now() - started };
}

/** Waits until /readyz says the node reaches the database again. */
async function waitReady(): Promise<void> {
  await expect
    .poll(async () => (await api.request("GET", "/readyz")).body)
    .toEqual({
      status: "ready",
    });
}

/** A load balancer's probe (`/readyz`, `/healthz`) says unavailable, not in the API's envelope. */
async function expectProbeUnavailable(path: string): Promise<number> {
  const probe = await timed(() => api.request("GET", path));
  expect(probe.answer.status, path).toBe(503);
  expect(probe.answer.body, path).toEqual({ status: "unavailable" });
  expect(probe.ms, path).toBeLessThan(FAST_MS);
  return probe.ms;
}

function expectUnavailable(response: ApiResponse, ms: number) {
  expect(response.status, response.text).toBe(503);
  // TestApi.call has validated the envelope against the document; this is its exact content.
  expect(response.body).toEqual(UNAVAILABLE);
  expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  expect(ms).toBeLessThan(FAST_MS);
}

describe("the database goes away and comes back", () => {
  test("503 in the envelope while it is away, the same requests succeed once it is back", async () => {
    const before = await send("Отправлено до обрыва");
    expect(before.status).toBe(200);
    proxy.cut();
    try {
      const reading = await timed(read);
      expectUnavailable(reading.answer, reading.ms);
      const sending = await timed(() => send("Отправлено во время обрыва"));
      expectUnavailable(sending.answer, sending.ms);
      const sandbox = await timed(() => api.sandbox("GET", `/chats/${w.chatId}`));
      expectUnavailable(sandbox.answer, sandbox.ms);

      // The token endpoint answers in OAuth's envelope, as it does every server fault.
      const token = await timed(() =>
        api.request("POST", "/token", {
          form: {
            grant_type: "client_credentials",
            client_id: w.buyer.client_id,
            client_secret: w.buyer.client_secret,
          },
        }),
      );
      expect(token.answer.status).toBe(503);
      expect(token.answer.body).toEqual({
        error: "server_error",
        error_description: UNAVAILABLE.error.message,
      });
      expect(token.answer.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      expect(token.ms).toBeLessThan(FAST_MS);

      // The consent page answers its error page, in HTML.
      const consent = await timed(() =>
        fetch(
          `${server.url}/oauth?response_type=code&client_id=${w.buyer.client_id}&scope=messenger:read`,
          { redirect: "manual" },
        ),
      );
      expect(consent.answer.status).toBe(503);
      expect(consent.answer.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await consent.answer.text()).toContain(UNAVAILABLE.error.message);
      expect(consent.ms).toBeLessThan(FAST_MS);

      // The load balancer's probes. /healthz pings the store too, so it says the same as
      // /readyz here (it answers at once: the proxy refuses connections).
      await expectProbeUnavailable("/readyz");
      await expectProbeUnavailable("/healthz");
    } finally {
      proxy.restore();
    }

    await waitReady();
    expect((await api.request("GET", "/healthz")).body).toEqual({ status: "ok" });
    await expect.poll(async () => (await read()).status).toBe(200);
    const after = await send("Отправлено после обрыва");
    expect(after.status).toBe(200);
    const ids = (await read()).body.map((m) => m.id);
    expect(ids).toContain(before.body.id);
    expect(ids).toContain(after.body.id);
    expect(await api.token(w.buyer)).toEqual(expect.any(String));

    // Logged once per refused request at warn; none of them was taken for a server fault.
    const warned = logs.filter((l) => l.msg.includes("the database cannot be reached"));
    expect(warned.length).toBeGreaterThanOrEqual(5);
    expect(warned.every((l) => l.level === 40)).toBe(true);
    expect(logs.filter((l) => l.msg === "request failed")).toEqual([]);
  }, 40_000);

  test("/readyz says unavailable within about 2 s when the database hangs", async () => {
    await waitReady();
    proxy.stall();
    try {
      // Probes at once share one ping, and answer when its time is up, not when the database does.
      const probes = await Promise.all(
        Array.from({ length: 3 }, () => expectProbeUnavailable("/readyz")),
      );
      for (const ms of probes) expect(ms).toBeGreaterThan(1_500);
    } finally {
      proxy.restore();
    }
    await waitReady();
    expect((await read()).status).toBe(200);
  });

  test("a send acknowledged right before the cut is never lost", async () => {
    const acknowledged: string[] = [];
    const statuses: number[] = [];
    let cutDone = false;
    // Eight senders at once; the cut falls while sends are in flight, after the first ten 200s.
    const sender = async (n: number) => {
      for (let i = 0; i < 8; i++) {
        const response = await send(`Нагрузка ${n}.${i}`);
        statuses.push(response.status);
        if (response.status === 200) acknowledged.push(response.body.id);
        if (!cutDone && acknowledged.length >= 10) {
          cutDone = true;
          proxy.cut();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: 8 }, (_, n) => sender(n)));
    } finally {
      proxy.restore();
    }
    expect(cutDone).toBe(true);
    // Every send was either acknowledged or refused as unavailable: none failed as a fault.
    expect(new Set(statuses)).toEqual(new Set([200, 503]));
    await expect.poll(async () => (await read()).status).toBe(200);
    const stored = new Set((await read()).body.map((m) => m.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(logs.filter((l) => l.msg === "request failed")).toEqual([]);
  }, 40_000);
});
