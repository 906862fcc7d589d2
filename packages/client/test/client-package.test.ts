// The package as it would be published: built by its own `build` config into a scratch copy,
// checked by publint, with no runtime dependency, and a main entry that loads no Node module
// (so it runs on Bun, Deno and in browsers) and imports nothing outside the package. Its
// declarations must compile in a plain Node project: `@types/node` only (no DOM library, so no
// CryptoKey) and `skipLibCheck: false`, which reads every .d.ts the package ships.
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const packageDir = new URL("..", import.meta.url).pathname;
const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");
let scratch: string;
let consumer: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "beseda-client-package-"));
  consumer = await mkdtemp(join(tmpdir(), "beseda-client-consumer-"));
  await copyFile(join(packageDir, "package.json"), join(scratch, "package.json"));
  execFileSync(
    process.execPath,
    [tsc, "-p", join(packageDir, "tsconfig.build.json"), "--outDir", join(scratch, "dist")],
    { stdio: "pipe" },
  );
}, 60_000);
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  await rm(consumer, { recursive: true, force: true });
});

/** A Node project using both entries the way the README does, typed against the built package. */
const CONSUMER_SOURCE = `import { createServer } from "node:http";
import { AvitoError, AvitoMessenger, type Chat, iterateAllChats } from "@beseda/avito-messenger";
import {
  createDeduper,
  fetchHandler,
  nodeHandler,
  verifyAndParse,
  type WebhookEvent,
} from "@beseda/avito-messenger/webhooks";

const client = new AvitoMessenger({ clientId: "id", clientSecret: "secret" });
const chats: Chat[] = [];
for await (const chat of iterateAllChats(client, { chat_types: ["u2i"] }, { itemIds: [1, 2] })) {
  chats.push(chat);
}
const handler = nodeHandler({ secret: "secret" }, async (event: WebhookEvent, { signal }) => {
  if (signal.aborted) return;
  await client.postSendMessage(event.payload.value.chat_id, "ok");
});
createServer(handler).listen(0);
const onRequest: (request: Request) => Promise<Response> = fetchHandler({ secret: null }, () => {});
const event: WebhookEvent = await verifyAndParse(Buffer.from("{}"), { "x-a": "b" }, "secret");
const seen: boolean = createDeduper({ max: 10 }).seen(event.payload.value.id);
export { chats, onRequest, seen, AvitoError };
`;

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

  it("has its declarations compile in a Node project with only @types/node, skipLibCheck off", async () => {
    const modules = join(consumer, "node_modules");
    await mkdir(join(modules, "@beseda"), { recursive: true });
    await mkdir(join(modules, "@types"), { recursive: true });
    await symlink(scratch, join(modules, "@beseda", "avito-messenger"), "dir");
    const typesNode = dirname(require.resolve("@types/node/package.json"));
    await symlink(typesNode, join(modules, "@types", "node"), "dir");
    await writeFile(join(consumer, "package.json"), JSON.stringify({ type: "module" }));
    await writeFile(join(consumer, "main.ts"), CONSUMER_SOURCE);
    await writeFile(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022"],
          types: ["node"],
          skipLibCheck: false,
        },
        files: ["main.ts"],
      }),
    );
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", consumer], { stdio: "pipe", encoding: "utf8" });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe("");
  }, 60_000);

  it("is built before it is packed", async () => {
    const manifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8"));
    expect(manifest.scripts.prepack).toBe("npm run build");
  });
});
