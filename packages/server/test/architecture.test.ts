// The layering the project follows, checked on the source: http → domain → store, one way; the
// domain knows neither Fastify nor Kysely; only the clock reads the system time.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** What `file` imports or re-exports (side-effect imports too), and whether only its types. */
function importStatements(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^\s*(?:import|export)\s(?:[^;]*?from\s+)?"([^"]+)"/gms)].map((m) => ({
    specifier: m[1] ?? "",
    typeOnly: /^\s*(?:import|export)\s+type\s/.test(m[0]),
  }));
}

function importsOf(file: string): string[] {
  return importStatements(file).map((i) => i.specifier);
}

const files = sources(SRC).map((path) => ({ path: relative(SRC, path), imports: importsOf(path) }));

test.each([
  ["domain", [/^fastify/, /^kysely/, /\/http\//]],
  ["store", [/^fastify/, /\/domain\//, /\/http\//]],
  ["errors", [/^fastify/, /^kysely/, /\/domain\//, /\/http\//, /\/store\//]],
] as const)("%s imports none of the layers above it", (layer, forbidden) => {
  const offending = files
    .filter((f) => f.path.startsWith(`${layer}/`))
    .flatMap((f) =>
      f.imports.filter((i) => forbidden.some((re) => re.test(i))).map((i) => `${f.path}: ${i}`),
    );
  expect(offending).toEqual([]);
});

test("the scenario engine is a client of the sandbox API: it imports nothing of the server", () => {
  // It talks to a Beseda over HTTP only (as `beseda test` does to a remote one), so that the
  // CLI and the server's own POST /sandbox/v1/scenarios/run run the very same code path.
  const offending = files
    .filter((f) => f.path.startsWith("scenarios/"))
    .flatMap((f) =>
      f.imports
        .filter((i) => /\/(domain|store|http)\/|^fastify|^kysely|^better-sqlite3/.test(i))
        .map((i) => `${f.path}: ${i}`),
    );
  expect(offending).toEqual([]);
});

test("route handlers reach the store only through the domain", () => {
  const offending = files
    .filter((f) => f.path.startsWith("http/routes/"))
    .flatMap((f) =>
      f.imports
        .filter((i) => /\/store\/|^kysely/.test(i) && !i.includes("/store/records.ts"))
        .map((i) => `${f.path}: ${i}`),
    );
  expect(offending).toEqual([]);
});

test("only the clock reads the system time", () => {
  // Date.now() and new Date() read it; new Date(ms) only formats a time already known.
  const readers = sources(SRC)
    .filter((path) =>
      /Date\.now\(\)|new Date\(\)/.test(readFileSync(path, "utf8").replace(/\/\/.*$/gm, "")),
    )
    .map((path) => relative(SRC, path));
  expect(readers).toEqual(["clock.ts"]);
});

test("the console's sources use the served documents' types, never the server's code", () => {
  const consoleSrc = fileURLToPath(new URL("../../console/src", import.meta.url));
  const consoleFiles = readdirSync(consoleSrc, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
  expect(consoleFiles.length).toBeGreaterThan(10);
  const offending = consoleFiles.flatMap((path) =>
    importsOf(path)
      .filter((i) => /(^|\/)server\/|@beseda\/server|^fastify|^kysely/.test(i))
      .map((i) => `${relative(consoleSrc, path)}: ${i}`),
  );
  expect(offending).toEqual([]);
});

/** Every module `file` loads, itself included: its relative imports, followed, and packages. */
function importGraph(file: string): { modules: string[]; packages: string[] } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string) => {
    if (modules.has(path)) return;
    modules.add(path);
    // Type-only imports are erased: they load nothing.
    const loaded = importStatements(path).filter((i) => !i.typeOnly);
    for (const { specifier } of loaded) {
      if (specifier.startsWith(".")) visit(join(path, "..", specifier));
      else if (!specifier.startsWith("node:")) packages.add(specifier);
    }
  };
  visit(join(SRC, file));
  return {
    modules: [...modules].map((path) => relative(SRC, path)).sort(),
    packages: [...packages],
  };
}

test.each([
  "domain/webhooks/transport-worker.ts",
  "domain/media/image-worker.ts",
  "store/sqlite/checkpoint-worker.ts",
])(
  "the worker thread %s loads only what it runs: no store, HTTP server or domain context",
  (file) => {
    // Each worker is an isolate of its own, and every module it loads stays in its heap: pulling
    // in the store through one shared constant once cost the webhook worker 12 MB.
    const { modules, packages } = importGraph(file);
    expect(modules.length).toBeGreaterThan(0);
    expect(
      modules.filter((m) => m !== file && /^(store|http)\/|^domain\/context\.ts$/.test(m)),
    ).toEqual([]);
    expect(packages.filter((p) => /^(kysely|fastify|pg|pino)$|^@fastify\//.test(p))).toEqual([]);
  },
);
