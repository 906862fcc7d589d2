// The package as it would be published: built by its own `build` config into a scratch copy,
// checked by publint, with no runtime dependency, and a main entry that loads no Node module
// (so it runs on Bun, Deno and in browsers) and imports nothing outside the package.
import { execFileSync } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const packageDir = new URL("..", import.meta.url).pathname;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "beseda-client-package-"));
  await copyFile(join(packageDir, "package.json"), join(scratch, "package.json"));
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(
    process.execPath,
    [tsc, "-p", join(packageDir, "tsconfig.build.json"), "--outDir", join(scratch, "dist")],
    { stdio: "pipe" },
  );
}, 60_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Every file the entry reaches through relative imports, and every bare import it makes. */
async function importGraph(entry: string): Promise<{ files: string[]; bare: string[] }> {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = async (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = await readFile(file, "utf8");
    for (const [, specifier] of source.matchAll(
      /(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']/g,
    )) {
      if (specifier === undefined) continue;
      if (specifier.startsWith(".")) await visit(join(file, "..", specifier));
      else bare.add(specifier);
    }
  };
  await visit(entry);
  return { files: [...files], bare: [...bare] };
}

describe("the published package", () => {
  it("passes publint", async () => {
    const { messages, pkg } = await publint({ pkgDir: scratch, level: "suggestion", pack: "npm" });
    expect(messages.map((message) => formatMessage(message, pkg))).toEqual([]);
  }, 60_000);

  it("has no runtime dependencies and declares what it is", async () => {
    const manifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8"));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});
    expect(manifest).toMatchObject({
      name: "@beseda/avito-messenger",
      type: "module",
      sideEffects: false,
      files: ["dist", "README.md"],
    });
    expect(manifest.exports["."]).toEqual({
      types: "./dist/index.d.ts",
      default: "./dist/index.js",
    });
  });

  it("loads from dist, and its main entry imports nothing outside itself", async () => {
    const { files, bare } = await importGraph(join(scratch, "dist", "index.js"));
    expect(bare).toEqual([]);
    expect(files.length).toBeGreaterThan(5);
    const entry = await import(join(scratch, "dist", "index.js"));
    expect(typeof entry.AvitoMessenger).toBe("function");
    expect(new entry.AvitoMessenger().baseUrl).toBe("https://api.avito.ru");
  });
});
