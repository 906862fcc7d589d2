// deploy/nginx.conf, run as the README's deployment section says: two `beseda serve` nodes on one
// PostgreSQL schema (one admin token, one media dir, one public URL: nginx's) behind Debian's
// nginx, started from the file as it is, with only its upstream addresses and its listen line
// replaced. Through nginx: /readyz, requests spread over both nodes (nginx's access log names the
// node of each), the console's session known to both, a 2 MB upload and its sizes served by
// both, the live event stream unbuffered, a POST that a node committed and dropped neither sent
// twice nor held against the node, and every request answered after kill -9 of a node.
// Always PostgreSQL, whatever the project. Needs /usr/sbin/nginx (`apt-get install nginx`;
// .ci/run installs it): without it the tests are skipped and say why, except on CI (CI set),
// where they fail.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, type TestContext, test } from "vitest";
import { TestApi } from "./helpers/api.ts";
import { postMultipart } from "./helpers/media.ts";
import { freePort, type ServerProcess, startServerProcess } from "./helpers/server-process.ts";
import { tempDataDir } from "./helpers/temp-dir.ts";
import { dropPostgresSchema, postgresSchemaUrl, testSchemaOf } from "./helpers/test-database.ts";

const NGINX = "/usr/sbin/nginx";
const NGINX_MISSING = existsSync(NGINX)
  ? null
  : `${NGINX} is missing: install Debian's nginx (apt-get install -y --no-install-recommends nginx); .ci/run installs it on CI`;
const SITE = fileURLToPath(new URL("../../../deploy/nginx.conf", import.meta.url));
const ADMIN_TOKEN = "deploy-nginx-test-admin-token";
/** A scenario run: it ends at once (its seller has no webhook), and is kept by its node. */
const SCENARIO = `name: A buyer behind nginx
buyers:
  - name: Терпеливый
    steps:
      - wait: 1m
`;
/** Sends dropped by the nodes in a row: with nginx's max_fails=3, enough to take both out. */
const DROPS = 6;

interface Node {
  dataDir: string;
  process: ServerProcess;
  /** host:port, as nginx's $upstream_addr names it. */
  address: string;
  api: TestApi;
}

let schema: string;
let mediaDir: string;
let nginxDir: string;
let nodes: Node[] = [];
let nginx: ChildProcess | undefined;
let nginxExited: Promise<void> = Promise.resolve();
let nginxStderr = "";
/** nginx's address: every request of the tests goes through it, unless a test says otherwise. */
let proxy: string;
let api: TestApi;

/** Skips a test, saying why, where nginx is not installed; on CI, which always has it, fails. */
function needsNginx(context: TestContext): void {
  if (!NGINX_MISSING) return;
  if (process.env.CI) throw new Error(NGINX_MISSING);
  context.skip(NGINX_MISSING);
}

/**
 * deploy/nginx.conf with the placeholder nodes of each upstream replaced by `nodeAddresses`, in
 * order (each keeps its line's parameters), and its `listen 80` by `listen`. Fails if the file no
 * longer has what it replaces.
 */
function siteFor(nodeAddresses: string[], listen: string): string {
  const original = readFileSync(SITE, "utf8");
  const serverLine = /^([ \t]*)server[ \t]+\d+\.\d+\.\d+\.\d+:\d+([^;\n]*);$/gm;
  const upstreams = /^upstream[ \t]+(\S+)[ \t]*\{[^}]*\}/gm;
  const withNodes = original.replace(upstreams, (block, name: string) => {
    const placeholders = block.match(serverLine) ?? [];
    if (placeholders.length !== nodeAddresses.length) {
      throw new Error(`${SITE}: upstream ${name} has ${placeholders.length} server lines`);
    }
    let next = 0;
    return block.replace(
      serverLine,
      (_line, indent: string, params: string) =>
        `${indent}server ${nodeAddresses[next++]}${params};`,
    );
  });
  if (withNodes === original) throw new Error(`${SITE}: expected the upstreams' server lines`);
  const listenLine = /^([ \t]*)listen[ \t]+80;$/m;
  if (!listenLine.test(withNodes)) throw new Error(`${SITE}: expected a "listen 80;" line`);
  return withNodes.replace(listenLine, (_line, indent: string) => `${indent}listen ${listen};`);
}

/**
 * The main config around the site: everything nginx writes goes to `dir`, and its access log
 * names the node that answered each request.
 */
function mainConfig(dir: string): string {
  // As root, nginx's workers would run as `nobody`, who cannot enter the temporary directory.
  const user = process.getuid?.() === 0 ? "user root;\n" : "";
  return `${user}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  log_format upstreams '$request_method $uri $status $upstream_addr';
  access_log ${dir}/access.log upstreams;
  include ${dir}/beseda.conf;
}
`;
}

interface Logged {
  method: string;
  path: string;
  status: number;
  /** Every node tried, in order (more than one when nginx passed the request on). */
  upstreams: string[];
}

/** nginx's access log so far. */
function accessLog(): Logged[] {
  const path = join(nginxDir, "access.log");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      // $upstream_addr: "a, b" when nginx passed the request on, "a : b" across a redirect.
      const [method = "", path = "", status = "", ...upstreams] = line.split(" ");
      return {
        method,
        path,
        status: Number(status),
        upstreams: upstreams.join(" ").split(/\s*[,:]\s+/),
      };
    });
}

/** The node that answered each logged request matching `method` and `path`, from `from` on. */
function answeredBy(method: string, path: string, from = 0): string[] {
  return accessLog()
    .slice(from)
    .filter((line) => line.method === method && line.path === path)
    .map((line) => line.upstreams.at(-1) ?? "");
}

async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (nginx?.exitCode !== null) {
      const log = readFileSync(join(nginxDir, "error.log"), "utf8");
      throw new Error(`nginx exited: ${nginxStderr} ${log}`);
    }
    if (Date.now() > deadlineMs)
      throw new Error(`nginx is not listening after 5 s: ${nginxStderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("deploy/nginx.conf", () => {
  beforeAll(async () => {
    if (NGINX_MISSING) return;
    const base = tempDataDir();
    schema = testSchemaOf(base);
    rmSync(base, { recursive: true, force: true });
    mediaDir = tempDataDir();
    nginxDir = tempDataDir();
    const port = await freePort();
    proxy = `http://127.0.0.1:${port}`;
    api = new TestApi(proxy, ADMIN_TOKEN);
    const env = {
      BESEDA_DATABASE_URL: await postgresSchemaUrl(schema),
      BESEDA_ADMIN_TOKEN: ADMIN_TOKEN,
      BESEDA_MEDIA_DIR: mediaDir,
      BESEDA_PUBLIC_URL: proxy,
    };
    // Started together, as a deployment would: the migrations run once, under Kysely's lock.
    nodes = await Promise.all(
      [0, 1].map(async () => {
        const dataDir = tempDataDir();
        const started = await startServerProcess(dataDir, ["--no-demo"], env);
        const { host } = new URL(started.url);
        return {
          dataDir,
          process: started,
          address: host,
          api: new TestApi(started.url, ADMIN_TOKEN),
        };
      }),
    );
    writeFileSync(
      join(nginxDir, "beseda.conf"),
      siteFor(
        nodes.map((node) => node.address),
        `127.0.0.1:${port}`,
      ),
    );
    writeFileSync(join(nginxDir, "nginx.conf"), mainConfig(nginxDir));
    const child = spawn(
      NGINX,
      [
        "-p",
        `${nginxDir}/`,
        "-e",
        join(nginxDir, "error.log"),
        "-c",
        join(nginxDir, "nginx.conf"),
        "-g",
        "daemon off;",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    nginx = child;
    child.stderr?.on("data", (chunk: Buffer) => {
      nginxStderr += chunk.toString();
    });
    nginxExited = new Promise((resolve) => child.once("exit", () => resolve()));
    await waitForPort(port, Date.now() + 5_000);
  }, 30_000);

  afterAll(async () => {
    // SIGTERM: nginx's fast shutdown, which does not wait for open streams.
    if (nginx?.exitCode === null) nginx.kill("SIGTERM");
    await nginxExited;
    for (const node of nodes) {
      if (node.process.child.exitCode === null && node.process.child.signalCode === null) {
        node.process.child.kill("SIGKILL");
      }
      await node.process.exited;
      rmSync(node.dataDir, { recursive: true, force: true });
    }
    for (const dir of [mediaDir, nginxDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    if (schema) await dropPostgresSchema(schema);
  });

  test("/readyz answers 200 through nginx, and requests are spread over both nodes", async (context) => {
    needsNginx(context);
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${proxy}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ready" });
    }
    // The access log's line is written once the answer is sent: it may come a moment after.
    await expect
      .poll(() => new Set(answeredBy("GET", "/readyz")))
      .toEqual(new Set(nodes.map((node) => node.address)));
  });

  test("the console's session, started through one node, is known to every node", async (context) => {
    needsNginx(context);
    const signIn = await api.request("POST", "/console/session", { json: { token: ADMIN_TOKEN } });
    expect(signIn.status, signIn.text).toBe(200);
    const cookie = signIn.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    expect(cookie).toMatch(/^beseda_console=/);
    const logged = accessLog().length;
    for (let i = 0; i < 4; i++) {
      const session = await api.request<{ signed_in: boolean }>("GET", "/console/session", {
        headers: { cookie },
      });
      expect(session.status, session.text).toBe(200);
      expect(session.body.signed_in).toBe(true);
    }
    await expect
      .poll(() => new Set(answeredBy("GET", "/console/session", logged)).size)
      .toBe(nodes.length);
  });

  test("a 2 MB upload passes, and every node serves its sizes at nginx's address", async (context) => {
    needsNginx(context);
    const seller = await api.createAccount("Продавец за nginx");
    const token = await api.token(seller);
    // Noise does not compress: a PNG of 850×850 random pixels is over 2 MB.
    const png = await sharp(randomBytes(850 * 850 * 3), {
      raw: { width: 850, height: 850, channels: 3 },
    })
      .png()
      .toBuffer();
    expect(png.byteLength).toBeGreaterThan(2 * 1024 * 1024);
    const uploaded = await postMultipart<Record<string, Record<string, string>>>(
      `${proxy}${api.pathOf("uploadImages", { user_id: seller.user_id })}`,
      token,
      [{ field: "uploadfile[]", bytes: png, filename: "noise.png", type: "image/png" }],
    );
    expect(uploaded.status, uploaded.text).toBe(200);
    const [sizes] = Object.values(uploaded.body);
    const urls = Object.values(sizes ?? {});
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      // BESEDA_PUBLIC_URL: the links point at nginx, not at the node that stored the image.
      expect(url.startsWith(`${proxy}/`), url).toBe(true);
      // Each node serves them (one media dir, one signing key), asked directly.
      for (const node of nodes) {
        const served = await fetch(url.replace(proxy, node.api.base));
        expect(served.status, `${node.address}: ${url}`).toBe(200);
        expect(served.headers.get("content-type")).toBe("image/jpeg");
      }
    }
  });

  test("the live event stream through nginx is not buffered: an event arrives as it happens", async (context) => {
    needsNginx(context);
    const buyer = await api.createAccount("Покупатель за nginx");
    const seller = await api.createAccount("Продавец событий");
    const { chat_id } = await api.openChat({
      type: "u2u",
      user_ids: [buyer.user_id, seller.user_id],
    });

    const abort = new AbortController();
    const opened = performance.now();
    const response = await fetch(`${proxy}/sandbox/v1/events`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    /** Each chunk as it came through nginx, with when it came. */
    const chunks: { at: number; text: string }[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body ?? []) {
          chunks.push({ at: performance.now(), text: decoder.decode(chunk, { stream: true }) });
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      }
    })();
    const arrival = (text: string) => chunks.find((chunk) => chunk.text.includes(text))?.at;
    try {
      // The stream's first bytes (the reconnection delay) come at once, not when a buffer fills.
      // (A buffering proxy would hold these few bytes until its buffer filled: never, here. The
      // bound is loose for two busy cores.)
      await expect.poll(() => arrival("retry:"), { timeout: 3000, interval: 10 }).toBeDefined();
      expect((arrival("retry:") ?? Infinity) - opened).toBeLessThan(3000);

      // The stream's own node shows its message at once; another relays its events to the
      // stream only once it has seen that the stream's node has a watcher (a second or two), so a
      // message sent through it now may never come. One is sent through each node directly, and
      // the stream's own must arrive within a second, through nginx.
      const sent: { node: string; id: string; at: number }[] = [];
      for (const node of nodes) {
        const at = performance.now();
        const message = await node.api.text(chat_id, buyer.user_id, `через ${node.address}`);
        sent.push({ node: node.address, id: message.id, at });
      }
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const seen = sent.map((s) => ({ ...s, ms: (arrival(s.id) ?? Infinity) - s.at }));
      console.info(
        `deploy-nginx: events on the stream through nginx: ${seen
          .map(
            (s) =>
              `message via ${s.node}: ${Number.isFinite(s.ms) ? `${Math.round(s.ms)} ms` : "not seen in 1.5 s"}`,
          )
          .join("; ")}`,
      );
      expect(Math.min(...seen.map((s) => s.ms))).toBeLessThan(1500);
    } finally {
      abort.abort();
      await reading;
    }
  });

  test("a scenario run started through nginx is followed on the node that runs it", async (context) => {
    needsNginx(context);
    const seller = await api.createAccount("Магазин за nginx");
    // Each start and each look go to the first node (the upstream beseda_scenarios): on another
    // node the run would be unknown (404).
    for (let n = 0; n < 2; n++) {
      const started = await api.sandbox<{ id: string }>("POST", "/scenarios/run", {
        scenario: SCENARIO,
        account: seller.user_id,
      });
      expect(started.status, started.text).toBe(202);
      const logged = accessLog().length;
      for (let i = 0; i < 4; i++) {
        const run = await api.sandbox("GET", `/scenarios/runs/${started.body.id}`);
        expect(run.status, run.text).toBe(200);
      }
      await expect
        .poll(() => answeredBy("GET", `/sandbox/v1/scenarios/runs/${started.body.id}`, logged))
        .toEqual(Array(4).fill(nodes[0]?.address));
    }
  });

  test("a POST whose connection a node dropped after committing it: 502, not sent again, and no node taken out", async (context) => {
    needsNginx(context);
    const seller = await api.createAccount("Продавец с обрывами");
    const buyer = await api.createAccount("Покупатель с обрывами");
    const token = await api.token(seller);
    const { chat_id } = await api.openChat({
      type: "u2u",
      user_ids: [buyer.user_id, seller.user_id],
    });
    const rule = await api.sandbox("POST", "/faults", {
      operation: "postSendMessage",
      user_id: seller.user_id,
      drop: "after",
      times: DROPS,
    });
    expect(rule.status, rule.text).toBe(201);
    // Every node follows the store's rules within a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const logged = accessLog().length;
    const sendPath = api.pathOf("postSendMessage", { user_id: seller.user_id, chat_id });
    for (let i = 0; i < DROPS; i++) {
      const sent = await api.request("POST", sendPath, {
        token,
        json: { message: { text: `оборвано за nginx №${i}` }, type: "text" },
      });
      // The node stored it and dropped the connection: nginx answers 502 and sends it nowhere else.
      expect(sent.status, sent.text).toBe(502);
    }
    const messages = await api.call<{ content: { text?: string } }[]>("getMessagesV3", {
      token,
      params: { user_id: seller.user_id, chat_id },
    });
    const texts = messages.body.map((m) => m.content.text ?? "").sort();
    expect(texts).toEqual(Array.from({ length: DROPS }, (_, i) => `оборвано за nginx №${i}`));
    await expect.poll(() => answeredBy("POST", sendPath, logged).length).toBe(DROPS);
    for (const line of accessLog().filter((l) => l.path === sendPath)) {
      expect(line.upstreams).toHaveLength(1);
    }

    // The drops count against no node (max_fails=0): both are still in the rotation.
    const afterDrops = accessLog().length;
    for (let i = 0; i < 4; i++) expect((await fetch(`${proxy}/readyz`)).status).toBe(200);
    await expect
      .poll(() => new Set(answeredBy("GET", "/readyz", afterDrops)))
      .toEqual(new Set(nodes.map((node) => node.address)));
  });

  test("kill -9 of a node: requests through nginx keep succeeding, on the other one", async (context) => {
    needsNginx(context);
    // The first node: the one scenario runs go to, while it is there.
    const [victim, survivor] = nodes as [Node, Node];
    // Reads in flight while the node dies: nginx passes an idempotent request that failed on it
    // to the other node.
    const statuses: number[] = [];
    let loading = true;
    const load = Array.from({ length: 4 }, async () => {
      while (loading) statuses.push((await api.sandbox("GET", "/clock")).status);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    victim.process.child.kill("SIGKILL");
    await victim.process.exited;
    await new Promise((resolve) => setTimeout(resolve, 300));
    loading = false;
    await Promise.all(load);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    // After: reads and writes alike, all answered by the survivor.
    const logged = accessLog().length;
    for (let i = 0; i < 4; i++) expect((await fetch(`${proxy}/readyz`)).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      const created = await api.sandbox("POST", "/accounts", { name: `После kill -9 №${i}` });
      expect(created.status, created.text).toBe(201);
    }
    await expect.poll(() => answeredBy("POST", "/sandbox/v1/accounts", logged).length).toBe(4);
    expect(new Set(answeredBy("GET", "/readyz", logged))).toEqual(new Set([survivor.address]));
    expect(new Set(answeredBy("POST", "/sandbox/v1/accounts", logged))).toEqual(
      new Set([survivor.address]),
    );
    // The dead node still has its turns (max_fails=0): a POST whose connection it refused never
    // reached it, and nginx passed it on.
    const posts = accessLog()
      .slice(logged)
      .filter((line) => line.method === "POST");
    expect(posts.map((line) => line.upstreams)).toContainEqual([victim.address, survivor.address]);

    // Scenario runs go to the second node now (the upstream's backup).
    const seller = await api.createAccount("Магазин после kill -9");
    const started = await api.sandbox<{ id: string }>("POST", "/scenarios/run", {
      scenario: SCENARIO,
      account: seller.user_id,
    });
    expect(started.status, started.text).toBe(202);
    const run = await api.sandbox("GET", `/scenarios/runs/${started.body.id}`);
    expect(run.status, run.text).toBe(200);
  });
});
