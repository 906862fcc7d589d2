// `beseda test --bot "CMD"`: the user's bot, started by the runner as a shell command with the
// seller account's credentials in its environment (AVITO_BASE_URL, AVITO_CLIENT_ID,
// AVITO_CLIENT_SECRET, AVITO_USER_ID, BESEDA_URL), ready once the account has a webhook
// subscription. Its output goes to a log (and to --bot-log FILE); it is stopped with SIGTERM to
// its process group (SIGKILL after 5 s), and started again when the scenarios need another
// seller account. An exit nobody asked for, once it was ready, is told to the listeners (the
// scenario running then fails at once).
import { delimiter, dirname } from "node:path";
import type { SandboxClient } from "../sandbox-client.ts";
import { OutputLog } from "./output-log.ts";
import { describeExit, type Exit, type GroupProcess, spawnGroup } from "./process-group.ts";

const STOP_GRACE_MS = 5_000;
const READY_POLL_MS = 100;

/** The seller account the bot acts as: what it needs to get a token. */
export interface BotCredentials {
  user_id: number;
  client_id: string;
  client_secret: string;
}

/** The bot did not get ready: it exited, or did not subscribe in time. */
export class BotStartError extends Error {}

interface AccountSubscription {
  user_id: number;
  subscription: { url: string } | null;
}

export type BotExitListener = (exit: Exit) => void;

export class ManagedBot {
  readonly command: string;
  readonly #besedaUrl: string;
  readonly #sandbox: SandboxClient;
  readonly #log: OutputLog;
  readonly #exitListeners = new Set<BotExitListener>();
  #process: GroupProcess | null = null;
  #userId: number | null = null;

  constructor(options: {
    command: string;
    besedaUrl: string;
    sandbox: SandboxClient;
    /** --bot-log: where all of its output is written too (made empty by the caller), or null. */
    logFile: string | null;
  }) {
    this.command = options.command;
    this.#besedaUrl = options.besedaUrl;
    this.#sandbox = options.sandbox;
    this.#log = new OutputLog(options.logFile);
  }

  /** The account it runs as, while it runs. */
  get userId(): number | null {
    return this.running ? this.#userId : null;
  }

  get running(): boolean {
    return this.#process !== null && this.#process.exit() === null;
  }

  /** Where its output stands now: for `outputSince`. */
  outputMark(): number {
    return this.#log.mark();
  }

  /** The last `count` lines it printed since `mark` (of all its runs). */
  outputSince(mark: number, count: number): string[] {
    return this.#log.since(mark, count);
  }

  /** Calls `listener` when the bot exits once it was ready, without being stopped. */
  onUnexpectedExit(listener: BotExitListener): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  /**
   * Starts it as `account` (stopping the one running first) and waits until the account has a
   * webhook subscription: the caller makes sure it has none before (a stale one would look ready).
   */
  async start(account: BotCredentials, readyTimeoutMs: number, signal: AbortSignal): Promise<void> {
    await this.stop();
    const started = performance.now();
    const bot = spawnGroup(
      { command: this.command, args: [], shell: true, graceMs: STOP_GRACE_MS, tempDirPrefix: null },
      {
        ...process.env,
        // `node` in the command is the Node running the runner (24, which runs .ts files), as an
        // npm script's would be, whatever the user's PATH had first.
        PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
        AVITO_BASE_URL: this.#besedaUrl,
        AVITO_CLIENT_ID: account.client_id,
        AVITO_CLIENT_SECRET: account.client_secret,
        AVITO_USER_ID: String(account.user_id),
        BESEDA_URL: this.#besedaUrl,
      },
    );
    this.#process = bot;
    this.#userId = account.user_id;
    this.#log.follow(bot.supervisor.stdout);
    this.#log.follow(bot.supervisor.stderr);

    for (;;) {
      const exit = bot.exit();
      if (exit !== null) {
        // Let the last of its output arrive before it is reported.
        await new Promise((resolve) => setTimeout(resolve, 50));
        await this.stop();
        throw new BotStartError(
          `the bot (${this.command}) exited (${describeExit(exit)}) before it subscribed a webhook for account ${account.user_id}`,
        );
      }
      if (signal.aborted) {
        await this.stop();
        throw new BotStartError("interrupted while the bot was starting");
      }
      const { accounts } = await this.#sandbox.call<{ accounts: AccountSubscription[] }>(
        "GET",
        "/accounts",
        undefined,
        { signal },
      );
      if (accounts.find((a) => a.user_id === account.user_id)?.subscription) break;
      if (performance.now() - started > readyTimeoutMs) {
        await this.stop();
        throw new BotStartError(
          `the bot (${this.command}) did not subscribe a webhook for account ${account.user_id} within ${Math.round(readyTimeoutMs / 100) / 10} s (--bot-ready-timeout)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
    void bot.exited.then((exit) => {
      // Stopped on purpose: #process was cleared first.
      if (this.#process !== bot) return;
      for (const listener of this.#exitListeners) listener(exit);
    });
  }

  /** Stops it; the account it ran as (null when it was not running). */
  async stop(): Promise<number | null> {
    const bot = this.#process;
    const userId = this.#userId;
    this.#process = null;
    this.#userId = null;
    await bot?.stop();
    return bot === null ? null : userId;
  }
}
