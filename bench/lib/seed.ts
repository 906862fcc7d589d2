// Seeded data dirs for the HTTP scenarios, made with `beseda seed` (the store's bulk path): a
// SQLite store in the dir, or a PostgreSQL one at `databaseUrl` (the dir then holds the manifest).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../packages/server/src/cli.js", import.meta.url));

export interface SeedManifest {
  seller: { user_id: number; client_id: string; client_secret: string };
  chat_ids: string[];
  busiest_chat_id: string;
  chats: number;
  messages: number;
  accounts: number;
  seconds: number;
}

export interface SeededDir {
  dir: string;
  manifest: SeedManifest;
  remove(): void;
}

export async function seedDir(
  chats: number,
  messages: number,
  databaseUrl?: string,
): Promise<SeededDir> {
  const dir = mkdtempSync(join(tmpdir(), "beseda-seed-"));
  const child = spawn(
    process.execPath,
    [
      CLI,
      "seed",
      "--data-dir",
      dir,
      ...(databaseUrl === undefined ? [] : ["--database-url", databaseUrl]),
      "--chats",
      String(chats),
      "--messages",
      String(messages),
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`beseda seed failed with ${code}`);
  const manifest = JSON.parse(
    readFileSync(join(dir, "seed-manifest.json"), "utf8"),
  ) as SeedManifest;
  return { dir, manifest, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
