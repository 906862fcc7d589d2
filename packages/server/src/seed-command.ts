// `beseda seed`: fills an empty data dir with a large generated world (domain/seed.ts) for
// benchmarks, shows its progress on stderr, and writes DIR/seed-manifest.json with the hot
// seller's credentials and chats for the benchmark to use.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SandboxClock } from "./clock.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { PublicUrls } from "./domain/public-urls.ts";
import { loadClockOffset } from "./domain/sandbox-clock.ts";
import { type SeedProgress, SeedRefusedError, seedWorld } from "./domain/seed.ts";
import { openStore } from "./store/store.ts";

export const SEED_MANIFEST_FILE = "seed-manifest.json";

const DEFAULTS = { chats: 1000, messages: 25_000, randomSeed: 1 };

export function seedUsage(): string {
  return [
    "Usage: beseda seed [--data-dir DIR] [--database-url URL] [--chats N] [--messages M] [--random-seed S]",
    "",
    "Fills an empty data dir with a generated world: about N/4 accounts, N chats (80% u2i, 15% u2u,",
    "5% a2u; a fifth of them with one hot seller), M messages in all (a power law per chat), some",
    "unread. Writes DIR/seed-manifest.json with the hot seller's credentials and chats.",
    "",
    "  --data-dir DIR     BESEDA_DATA_DIR   default ./data; must hold no accounts yet",
    "  --database-url URL BESEDA_DATABASE_URL seed a PostgreSQL store instead (it must hold no accounts yet)",
    `  --chats N          default ${DEFAULTS.chats}`,
    `  --messages M       default ${DEFAULTS.messages}`,
    `  --random-seed S    default ${DEFAULTS.randomSeed}; the same seed plans the same world`,
    "  --public-url URL   BESEDA_PUBLIC_URL base of the item links in item messages",
  ].join("\n");
}

function count(raw: string | undefined, name: string, fallback: number, min: number, max: number) {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** Redraws one line with \r on a terminal; elsewhere prints a line every 10%. */
class ProgressBar {
  readonly #total: number;
  readonly #started = performance.now();
  readonly #tty = process.stderr.isTTY === true;
  #lastTenth = -1;
  #lastDraw = 0;

  constructor(total: number) {
    this.#total = Math.max(1, total);
  }

  update(done: SeedProgress, messages: number): void {
    const fraction = Math.min(1, messages === 0 ? 1 : done.messages / this.#total);
    const seconds = (performance.now() - this.#started) / 1000;
    const text = `${(fraction * 100).toFixed(0).padStart(3)}%  ${done.messages}/${messages} messages, ${done.chats} chats, ${seconds.toFixed(1)} s`;
    if (this.#tty) {
      if (fraction < 1 && performance.now() - this.#lastDraw < 100) return;
      this.#lastDraw = performance.now();
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > this.#lastTenth) {
      this.#lastTenth = tenth;
      process.stderr.write(`seed: ${text}\n`);
    }
  }

  finish(): void {
    if (this.#tty) process.stderr.write("\n");
  }
}

export async function seedCommand(argv: string[]): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "data-dir": { type: "string" },
        "database-url": { type: "string" },
        chats: { type: "string" },
        messages: { type: "string" },
        "random-seed": { type: "string" },
        "public-url": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${seedUsage()}\n`);
    return;
  }
  const str = (name: string) => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const chats = count(str("chats"), "--chats", DEFAULTS.chats, 1, 100_000_000);
  const messages = count(str("messages"), "--messages", DEFAULTS.messages, 0, 2_000_000_000);
  const randomSeed = count(
    str("random-seed"),
    "--random-seed",
    DEFAULTS.randomSeed,
    0,
    2 ** 32 - 1,
  );
  // The server's own settings for the data dir and the public URL (flag, env var, default).
  const forwarded = (["data-dir", "database-url", "public-url"] as const).flatMap((flag) => {
    const value = str(flag);
    return value === undefined ? [] : [`--${flag}`, value];
  });
  const config = loadConfig(forwarded, process.env);
  const base = config.publicUrl ?? `http://${config.host}:${config.port}`;

  const started = performance.now();
  // The manifest goes there, whichever store the world goes to.
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const clock = new SandboxClock(await loadClockOffset(store));
    const bar = new ProgressBar(messages);
    const result = await seedWorld(
      { store, clock, urls: new PublicUrls(() => base) },
      { chats, messages, randomSeed },
      (done) => bar.update(done, messages),
    );
    bar.finish();
    const seconds = Math.round((performance.now() - started) / 10) / 100;
    const manifest = {
      seller: {
        user_id: result.seller.user_id,
        client_id: result.seller.client_id,
        client_secret: result.seller.client_secret,
      },
      chat_ids: result.chatIds,
      busiest_chat_id: result.busiestChatId,
      chats: result.chats,
      messages: result.messages,
      accounts: result.accounts,
      seconds,
    };
    writeFileSync(
      join(config.dataDir, SEED_MANIFEST_FILE),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
    process.stdout.write(
      `seeded ${result.chats} chats, ${result.messages} messages and ${result.accounts} accounts into ${config.dataDir} in ${seconds} s; hot seller ${result.seller.user_id} (see ${SEED_MANIFEST_FILE})\n`,
    );
  } catch (error) {
    if (error instanceof SeedRefusedError) {
      throw new ConfigError(`${config.dataDir}: ${error.message}`);
    }
    throw error;
  } finally {
    await store.close();
  }
}
