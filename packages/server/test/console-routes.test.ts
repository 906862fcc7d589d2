// /console over HTTP: the built page and its assets (cached by content hash, gzipped when asked),
// the single page's paths, a missing asset as a 404 in the envelope, and the page that says how
// to build the console when it is not built. The sign-in's own tests are in packages/console.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { consoleFiles } from "../src/http/routes/console/console-files.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

describe("the console's files", () => {
  test("the page, at /console and at any of its own paths, never cached, with a strict CSP", async () => {
    for (const path of ["/console", "/console/", "/console/inbox/42/u2i-abc"]) {
      const page = await fetch(`${server.url}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.headers.get("cache-control")).toBe("no-cache");
      expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(await page.text()).toContain('<div id="app">');
    }
  });

  test("hashed assets are cached for a year and gzipped for a client that accepts it", async () => {
    const html = await (await fetch(`${server.url}/console`)).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const plain = await fetch(`${server.url}${script}`, {
      headers: { "accept-encoding": "identity" },
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(plain.headers.get("content-encoding")).toBeNull();
    const body = await plain.arrayBuffer();
    // fetch decodes gzip itself: the same bytes arrive, fewer of them on the wire.
    const gzipped = await fetch(`${server.url}${script}`, {
      headers: { "accept-encoding": "gzip" },
    });
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    expect(Buffer.from(await gzipped.arrayBuffer()).equals(Buffer.from(body))).toBe(true);
  });

  test("a missing asset is a 404 in the API's envelope, not the page", async () => {
    const missing = await fetch(`${server.url}/console/assets/index-00000000.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 404, message: "Not found" } });
  });

  test("an unbuilt console answers 503 with how to build it", async () => {
    const empty = mkdtempSync(join(tmpdir(), "beseda-console-"));
    const app = Fastify();
    consoleFiles(app, empty);
    try {
      const page = await app.inject({ method: "GET", url: "/console/accounts" });
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain("npm run build -w @beseda/console");
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe("the console's session", () => {
  test("a missing or wrong token is refused in the envelope, and sets no cookie", async () => {
    for (const body of [{}, { token: "" }, { token: "not-the-token" }]) {
      const answer = await fetch(`${server.url}/console/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect([400, 401]).toContain(answer.status);
      expect(answer.headers.get("set-cookie")).toBeNull();
      expect(((await answer.json()) as { error: { code: number } }).error.code).toBe(answer.status);
    }
    const none = await fetch(`${server.url}/console/session`);
    expect(none.status).toBe(401);
  });

  test("the cookie goes only to the sandbox API and the console, and sign-out ends the session for every copy", async () => {
    const signIn = await fetch(`${server.url}/console/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: server.adminToken }),
    });
    expect(signIn.status).toBe(200);
    const set = signIn.headers.getSetCookie();
    // Not Path=/: a browser would hand it to every app on another port of this host.
    expect(set.map((c) => /Path=([^;]+)/.exec(c)?.[1])).toEqual(["/sandbox/v1", "/console"]);
    for (const c of set) expect(c).toMatch(/; HttpOnly; SameSite=Strict$/);
    const cookie = set[0]?.split(";")[0] ?? "";
    const copy = { headers: { cookie } };
    expect((await fetch(`${server.url}/sandbox/v1/clock`, copy)).status).toBe(200);

    // A reset of the world keeps the console signed in: the session is the server's.
    const reset = await fetch(`${server.url}/sandbox/v1/reset`, {
      method: "POST",
      headers: { cookie, "x-beseda-console": "1", "content-type": "application/json" },
      body: JSON.stringify({ demo: false }),
    });
    expect(reset.status).toBe(200);
    expect((await fetch(`${server.url}/console/session`, copy)).status).toBe(200);

    const out = await fetch(`${server.url}/console/session`, { method: "DELETE", ...copy });
    expect(out.status).toBe(204);
    for (const c of out.headers.getSetCookie()) expect(c).toMatch(/^beseda_console=; Path=\/\w+/);
    expect(out.headers.getSetCookie().every((c) => c.includes("Max-Age=0"))).toBe(true);
    // Whoever kept a copy of the cookie is signed out too.
    expect((await fetch(`${server.url}/sandbox/v1/clock`, copy)).status).toBe(401);
    expect((await fetch(`${server.url}/console/session`, copy)).status).toBe(401);
  });

  test("behind a TLS proxy (an https public URL), the cookie is Secure", async () => {
    const behindProxy = await startTestServer({ publicUrl: "https://beseda.example.com" });
    try {
      const signIn = await fetch(`${behindProxy.url}/console/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: behindProxy.adminToken }),
      });
      for (const c of signIn.headers.getSetCookie()) expect(c).toMatch(/; Secure$/);
    } finally {
      await behindProxy.stop();
    }
  });
});
