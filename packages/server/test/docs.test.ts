// The served API documents (/openapi/*.json) and the reference at /docs: each document is the
// contract package's, with `servers` and its OAuth URLs set to this server; /docs and every asset
// it names load from Beseda itself, with no URL of another host in the page.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TestApi } from "./helpers/api.ts";
import { assertErrorEnvelope } from "./helpers/contract-validator.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const require = createRequire(import.meta.url);
const NAMES = ["messenger", "auth", "user", "items", "sandbox"] as const;

type Document = {
  servers?: { url: string }[];
  info: { description?: string };
  paths: Record<string, unknown>;
  components: {
    securitySchemes?: Record<string, { flows?: Record<string, Record<string, string>> }>;
  };
};

let server: TestServer;
let api: TestApi;

beforeAll(async () => {
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
});
afterAll(() => server.stop());

describe("/openapi/{name}.json", () => {
  test.each(NAMES)(
    "%s.json is the contract's document with this server as its server",
    async (name) => {
      const response = await api.request<Document>("GET", `/openapi/${name}.json`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
      const original = require(`@beseda/contract/${name}.json`) as Document;
      expect(response.body.servers).toEqual([{ url: server.url }]);
      expect(response.body.paths).toEqual(original.paths);
      // OAuth flows point here too; the package's file keeps production's.
      for (const scheme of Object.values(response.body.components.securitySchemes ?? {})) {
        for (const flow of Object.values(scheme.flows ?? {})) {
          for (const key of ["authorizationUrl", "tokenUrl"]) {
            if (flow[key]) expect(flow[key]).toMatch(new RegExp(`^${server.url}/(oauth|token)$`));
          }
        }
      }
      if (name !== "sandbox") expect(original.servers).toEqual([{ url: "https://api.avito.ru/" }]);
    },
  );

  test("the user and items documents say they come from Avito's other APIs", async () => {
    for (const name of ["user", "items"]) {
      const { body } = await api.request<Document>("GET", `/openapi/${name}.json`);
      expect(body.info.description).toContain("from another of Avito's APIs");
    }
  });

  test("the messenger and auth documents name Beseda's token and consent URLs", async () => {
    const { body } = await api.request<Document>("GET", "/openapi/messenger.json");
    const flows = body.components.securitySchemes?.AuthorizationCode?.flows?.authorizationCode;
    expect(flows?.authorizationUrl).toBe(`${server.url}/oauth`);
    expect(flows?.tokenUrl).toBe(`${server.url}/token`);
  });

  test("behind a configured public URL, the documents name it", async () => {
    const behindProxy = await startTestServer({ publicUrl: "https://beseda.example.test" });
    try {
      const response = await fetch(`${behindProxy.url}/openapi/messenger.json`);
      const body = (await response.json()) as Document;
      expect(body.servers).toEqual([{ url: "https://beseda.example.test" }]);
    } finally {
      await behindProxy.stop();
    }
  });

  test("an unknown document: 404 in the envelope", async () => {
    for (const path of [
      "/openapi/nothing.json",
      "/openapi/messenger",
      "/openapi/..%2Fpackage.json",
    ]) {
      const response = await api.request("GET", path);
      expect(response.status, path).toBe(404);
      assertErrorEnvelope(404, response.body);
    }
  });
});

describe("the contract package", () => {
  const root = dirname(require.resolve("@beseda/contract/CORRECTIONS.md"));

  test("every document CORRECTIONS.md cites is in the package", () => {
    const text = readFileSync(join(root, "CORRECTIONS.md"), "utf8");
    const links = [...text.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1] ?? "");
    expect(links).toEqual(
      expect.arrayContaining([
        "sources/WIRE-NOTES.md",
        "sources/avito-messenger-openapi.json",
        "sources/avito-auth-openapi.json",
        "sources/avito-user-openapi.json",
        "sources/avito-items-openapi.json",
      ]),
    );
    for (const link of links) expect(existsSync(join(root, link)), link).toBe(true);
  });

  test("the user and items documents hold exactly the /core/v1 routes the server serves", () => {
    const served = server.app.registeredRoutes
      .filter((r) => r.method !== "HEAD" && r.url.startsWith("/core/"))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    const documented = ["user", "items"].flatMap((name) => {
      const document = require(`@beseda/contract/${name}.json`) as Document;
      return Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item as object)
          .filter((method) => ["get", "post", "put", "delete"].includes(method))
          .map((method) => `${method.toUpperCase()} ${path.replaceAll(/\{(\w+)\}/g, ":$1")}`),
      );
    });
    expect(documented.sort()).toEqual(served);
  });
});

describe("/docs", () => {
  test("the page and every asset it names load from this server", async () => {
    const page = await api.request<string>("GET", "/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const references = [...page.text.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(references.length).toBeGreaterThanOrEqual(4);
    // Nothing from another host: no CDN, no fonts, no scripts from elsewhere.
    expect(page.text).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
    expect(page.text).not.toMatch(/@import|url\(\s*["']?https?:/i);
    const types: Record<string, RegExp> = {
      ".js": /^text\/javascript/,
      ".css": /^text\/css/,
      ".png": /^image\/png/,
      ".json": /^application\/json/,
    };
    for (const reference of references) {
      expect(reference, reference).toMatch(/^\/(?!\/)/);
      const response = await fetch(`${server.url}${reference}`);
      expect(response.status, reference).toBe(200);
      const extension = /\.[a-z]+$/.exec(reference)?.[0] ?? "";
      expect(response.headers.get("content-type"), reference).toMatch(types[extension] ?? /./);
      expect((await response.arrayBuffer()).byteLength, reference).toBeGreaterThan(100);
    }
  });

  test("the page offers every served document, and each loads", async () => {
    const init = await api.request<string>("GET", "/docs/init.js");
    expect(init.status).toBe(200);
    expect(init.headers.get("content-type")).toMatch(/^text\/javascript/);
    for (const name of NAMES) {
      expect(init.text).toContain(`"/openapi/${name}.json"`);
      expect((await fetch(`${server.url}/openapi/${name}.json`)).status).toBe(200);
    }
    // The validator badge would call validator.swagger.io: it is off.
    expect(init.text).toContain("validatorUrl: null");
    expect(init.text).not.toMatch(/https?:\/\//);
  });

  test("the bundled stylesheet loads no font or file from another host", async () => {
    const css = await (await fetch(`${server.url}/docs/assets/swagger-ui.css`)).text();
    expect(css).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
  });

  test("an unknown asset: 404 in the envelope", async () => {
    for (const path of ["/docs/assets/index.html", "/docs/assets/..%2F..%2Fpackage.json"]) {
      const response = await api.request("GET", path);
      expect(response.status, path).toBe(404);
      assertErrorEnvelope(404, response.body);
    }
  });
});
