// The options of `beseda test` (`beseda test --help` prints them): where the Beseda is (--url, or
// one started for the run), the bot (--bot, or an account whose bot runs already), which
// scenarios, time limits, and the reports to write. A wrong use throws a UsageError (exit 2).
import { parseArgs } from "node:util";
import { parseDurationMs } from "../../scenarios/duration.ts";
import { CONNECTION_OPTIONS, connectionOf } from "../connection.ts";
import type { Connection } from "../sandbox-client.ts";
import { UsageError } from "../verb.ts";
import { BOT_ACCOUNT_NAME } from "./seller-accounts.ts";

const DEFAULT_TIMEOUT = "10s";
const DEFAULT_BOT_READY_TIMEOUT = "30s";
export function testUsage(): string {
  return [
    "Usage: beseda test [FILE or FOLDER ...] [options]",
    "",
    "Runs scenario files (*.yaml, *.yml; folders are searched, ./scenarios by default) against",
    "a bot. Without --url (and without BESEDA_URL in the environment) it starts a Beseda of its",
    "own on a temporary data dir, removed at the end.",
    "",
    '  --bot "CMD"               start the bot as a shell command, as --account (else as the',
    `                            runner's own account "${BOT_ACCOUNT_NAME}", made once, then`,
    "                            reused), with AVITO_BASE_URL, AVITO_CLIENT_ID,",
    "                            AVITO_CLIENT_SECRET, AVITO_USER_ID and BESEDA_URL",
    `  --bot-ready-timeout D     how long the bot may take to subscribe its webhook (${DEFAULT_BOT_READY_TIMEOUT})`,
    "  --bot-log FILE            write all the bot's output to FILE (a failing scenario shows the",
    "                            bot's last 30 lines of it)",
    "  --account USER_ID         with --url: the bot's account; without --bot, your bot must run",
    "                            as it (without --account: the one account with a webhook)",
    "  --filter TEXT|/RE/        run the scenarios whose name or a tag contains TEXT (or matches)",
    "  --bail                    stop after the first failed scenario (the rest are skipped)",
    `  --timeout D               time limit of an expect that gives none (${DEFAULT_TIMEOUT})`,
    "  --junit FILE              write a JUnit XML report",
    "  --json FILE|-             write the reports as JSON (- : to stdout; the rest goes to stderr)",
    "",
    "A Beseda that runs already (your bot may run against it):",
    "  --url URL                 its URL; BESEDA_URL in the environment does the same (the",
    "                            first line then says so)",
    "  --admin-token T           its sandbox admin token (else BESEDA_ADMIN_TOKEN)",
    "  --data-dir DIR            else the token is read from DIR/admin-token (BESEDA_DATA_DIR,",
    "                            ./data)",
    "",
    "Exit codes: 0 all passed; 1 a scenario failed, or could not run; 2 a wrong use, a malformed",
    "scenario, or a bot account that cannot work (nothing ran); 130 interrupted (Ctrl-C, SIGINT);",
    "143 stopped by SIGTERM (129 SIGHUP, 131 SIGQUIT); 141 the output's reader went away (EPIPE).",
    "The reports (--junit, --json) are written in every case but 2 and a second signal.",
  ].join("\n");
}

export interface TestOptions {
  targets: string[];
  remote: Connection | null;
  /** The URL came from BESEDA_URL, not --url. */
  urlFromEnv: boolean;
  botLog: string | null;
  account: number | null;
  bot: string | null;
  botReadyTimeoutMs: number;
  filter: string | undefined;
  bail: boolean;
  timeoutMs: number;
  junit: string | null;
  json: string | null;
}

/** A duration option: "10s", "1.5s", "500ms", "2m", or a number of seconds. */
function durationOption(text: string, name: string): number {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseDurationMs(text);
  if (ms === null || ms <= 0) {
    throw new UsageError(`--${name} must be a duration like 500ms, 10s or 2m, got "${text}"`);
  }
  return ms;
}

export function testOptions(argv: string[], env: NodeJS.ProcessEnv): TestOptions | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...CONNECTION_OPTIONS,
      account: { type: "string" },
      bot: { type: "string" },
      "bot-ready-timeout": { type: "string" },
      "bot-log": { type: "string" },
      filter: { type: "string" },
      bail: { type: "boolean" },
      timeout: { type: "string" },
      junit: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return "help";
  const urlFromEnv = values.url === undefined && Boolean(env.BESEDA_URL);
  const remote = values.url !== undefined || urlFromEnv ? connectionOf(values, env) : null;
  for (const name of ["admin-token", "data-dir"] as const) {
    if (values[name] !== undefined && remote === null) {
      throw new UsageError(
        `--${name} needs --url: the Beseda started for this run has its own admin token`,
      );
    }
  }
  const account = values.account === undefined ? null : values.account;
  if (account !== null && !/^[1-9]\d*$/.test(account)) {
    throw new UsageError(`--account must be a user_id, got "${account}"`);
  }
  if (account !== null && remote === null) {
    throw new UsageError(
      "--account needs --url: the Beseda started for this run has no account but the one it makes for the bot",
    );
  }
  const bot = values.bot?.trim() || null;
  if (values["bot-log"] !== undefined && bot === null) {
    throw new UsageError(
      '--bot-log needs --bot "CMD": the runner keeps the output of a bot it starts',
    );
  }
  if (bot === null && remote === null) {
    throw new UsageError(
      'nothing would answer: give --bot "CMD" (the runner starts your bot against the Beseda it starts), or --url of a Beseda your bot runs against',
    );
  }
  return {
    targets: positionals,
    remote,
    urlFromEnv,
    botLog: values["bot-log"] || null,
    account: account === null ? null : Number(account),
    bot,
    botReadyTimeoutMs: durationOption(
      values["bot-ready-timeout"] ?? DEFAULT_BOT_READY_TIMEOUT,
      "bot-ready-timeout",
    ),
    filter: values.filter,
    bail: values.bail ?? false,
    timeoutMs: durationOption(values.timeout ?? DEFAULT_TIMEOUT, "timeout"),
    junit: values.junit ?? null,
    json: values.json ?? null,
  };
}
