// The options of `beseda test` (`beseda test --help` prints them): where the Beseda is (--url, or
// one started for the run), the bot (--bot, or an account whose bot runs already), which
// scenarios, time limits, and the reports to write. A wrong use throws a UsageError (exit 2).
import { parseArgs } from "node:util";
import { parseDurationMs } from "../../scenarios/duration.ts";
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectionOf } from "../connection.ts";
import type { Connection } from "../sandbox-client.ts";
import { UsageError } from "../verb.ts";

const DEFAULT_TIMEOUT = "10s";
const DEFAULT_BOT_READY_TIMEOUT = "30s";
export function testUsage(): string {
  return [
    "Usage: beseda test [FILE or FOLDER ...] [options]",
    "",
    "Runs scenario files (*.yaml, *.yml; folders are searched, ./scenarios by default) against",
    "a bot. Without --url it starts a Beseda of its own on a temporary data dir.",
    "",
    '  --bot "CMD"               start the bot as a shell command, with AVITO_BASE_URL,',
    "                            AVITO_CLIENT_ID, AVITO_CLIENT_SECRET, AVITO_USER_ID, BESEDA_URL",
    `  --bot-ready-timeout D     how long the bot may take to subscribe its webhook (${DEFAULT_BOT_READY_TIMEOUT})`,
    "  --account USER_ID         with --url: the bot's account (else the one with a webhook)",
    "  --filter TEXT|/RE/        run the scenarios whose name or a tag contains TEXT (or matches)",
    "  --bail                    stop after the first failed scenario (the rest are skipped)",
    `  --timeout D               time limit of an expect that gives none (${DEFAULT_TIMEOUT})`,
    "  --junit FILE              write a JUnit XML report",
    "  --json FILE|-             write the reports as JSON (- : to stdout; the rest goes to stderr)",
    ...CONNECTION_USAGE,
    "",
    "Exit codes: 0 all passed, 1 a scenario failed, 2 a wrong use or a malformed scenario.",
  ].join("\n");
}

export interface TestOptions {
  targets: string[];
  remote: Connection | null;
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
  const remote = values.url !== undefined || env.BESEDA_URL ? connectionOf(values, env) : null;
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
  if (bot === null && remote === null) {
    throw new UsageError(
      'nothing would answer: give --bot "CMD" (the runner starts your bot against the Beseda it starts), or --url of a Beseda your bot runs against',
    );
  }
  return {
    targets: positionals,
    remote,
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
