// The built console (vitest's global setup builds it): everything it needs is in dist/ and served
// by Beseda, nothing refers to another host, and the bundle stays small. The budget is a size, not
// a timing: a dependency that doubles the bundle fails here and is a decision to make on purpose.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { consoleDistDir } from "../../server/src/http/routes/console/console-files.ts";

/** Gzipped bytes of all scripts and styles: what a first visit downloads besides index.html. */
const BUDGET_GZIP_BYTES = 60 * 1024;

const dist = consoleDistDir();
const assets = readdirSync(join(dist, "assets"));

describe("the built console", () => {
  test("index.html loads only its own hashed assets, from /console/assets", () => {
    const html = readFileSync(join(dist, "index.html"), "utf8");
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference).toMatch(/^\/console\//);
    for (const name of assets) expect(name).toMatch(/-[\w-]{8}\.(js|css)$/);
  });

  test(`scripts and styles stay under ${BUDGET_GZIP_BYTES / 1024} KB gzipped`, () => {
    const sizes = assets.map((name) => gzipSync(readFileSync(join(dist, "assets", name))).length);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(total).toBeGreaterThan(1000);
    expect(total).toBeLessThan(BUDGET_GZIP_BYTES);
  });
});
