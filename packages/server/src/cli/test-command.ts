// `beseda test [files or folders…]`: runs scenario files (scripted buyers) against a bot, like a
// test runner. Every file is parsed (and the files it names found) before anything runs; then
// each scenario runs in turn against a Beseda (--url, or one started for the run on a temporary
// data dir) while the user's bot answers as it would in production (--bot starts it). Prints a
// block per scenario and a summary, writes --junit and --json reports. Exit codes: 0 all passed,
// 1 a scenario failed or could not run (the bot or the server failed), 2 a wrong use, a
// malformed scenario or a bot account that cannot work, 128 + N a signal (130 Ctrl-C, 143
// SIGTERM), 141 the output's reader went away (interruptions.ts says why).
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import {
  CliError,
  type Connection,
  SandboxClient,
  type SandboxClientOptions,
} from "./sandbox-client.ts";
import { Interruptions } from "./test-run/interruptions.ts";
import { ManagedBot } from "./test-run/managed-bot.ts";
import { type OwnServer, startOwnServer } from "./test-run/own-server.ts";
import { writeReports } from "./test-run/report-files.ts";
import { notRun, runScenarios, type ScenarioResult } from "./test-run/run-scenarios.ts";
import {
  findScenarioFiles,
  type LoadedScenario,
  loadScenarios,
  problemLine,
  ScenarioFilesError,
} from "./test-run/scenario-files.ts";
import { scenarioFilter } from "./test-run/scenario-filter.ts";
import { SellerAccounts } from "./test-run/seller-accounts.ts";
import { type TestOptions, testOptions, testUsage } from "./test-run/test-options.ts";
import { TextReporter } from "./test-run/text-reporter.ts";
import { UsageError } from "./verb.ts";

/** Each request to Beseda: a server that stopped answering must not hang the run. */
const REQUEST_TIMEOUT_MS = 30_000;

function besedaVersion(): string {
  const manifest = createRequire(import.meta.url)("../../package.json") as { version?: string };
  return manifest.version ?? "";
}

function refuse(message: string, code: number, usage = false): number {
  process.stderr.write(`beseda test: ${message}\n${usage ? `\n${testUsage()}\n` : ""}`);
  return code;
}

/** The options, or the exit code of a wrong use (or of --help). */
function options(argv: string[]): TestOptions | number {
  try {
    const parsed = testOptions(argv, process.env);
    if (parsed !== "help") return parsed;
    process.stdout.write(`${testUsage()}\n`);
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (error instanceof UsageError || code.startsWith("ERR_PARSE_ARGS")) {
      return refuse((error as Error).message, 2, true);
    }
    if (error instanceof CliError) return refuse(error.message, 2);
    throw error;
  }
}

interface Selection {
  selected: LoadedScenario[];
  filteredOut: number;
}

/** Every file read and parsed, then filtered: the scenarios to run, or the exit code (2). */
async function selectScenarios(options: TestOptions, cwd: string): Promise<Selection | number> {
  try {
    const files = await findScenarioFiles(options.targets, cwd);
    const { scenarios, problems } = await loadScenarios(files, cwd);
    if (problems.length > 0) {
      for (const problem of problems) process.stderr.write(`${problemLine(problem)}\n`);
      const badFiles = new Set(problems.map((problem) => problem.file)).size;
      return refuse(
        `${problems.length} ${problems.length === 1 ? "problem" : "problems"} in ${badFiles} ${badFiles === 1 ? "file" : "files"}: nothing ran`,
        2,
      );
    }
    const matches = scenarioFilter(options.filter);
    const selected = scenarios.filter((loaded) => matches(loaded.scenario));
    if (selected.length === 0) {
      return refuse(`no scenario matches --filter ${options.filter} (of ${scenarios.length})`, 2);
    }
    return { selected, filteredOut: scenarios.length - selected.length };
  } catch (error) {
    if (error instanceof ScenarioFilesError || error instanceof UsageError) {
      return refuse(error.message, 2);
    }
    throw error;
  }
}

function headerLine(
  selection: Selection,
  url: string,
  ownServer: boolean,
  options: TestOptions,
): string {
  const { selected, filteredOut } = selection;
  const counted = `${selected.length} ${selected.length === 1 ? "scenario" : "scenarios"}${filteredOut > 0 ? ` (${filteredOut} more not matching --filter)` : ""}`;
  const where = ownServer
    ? `Beseda ${besedaVersion()} at ${url} (started for this run)`
    : `Beseda at ${url}${options.urlFromEnv ? " (from BESEDA_URL)" : ""}`;
  const whose =
    options.bot !== null
      ? `, bot: ${options.bot}`
      : options.account !== null
        ? `, bot account ${options.account}`
        : "";
  return `beseda test: ${counted}, ${where}${whose}`;
}

/** What the user can do when the Beseda does not answer or refuses the token. */
function clientHints(options: TestOptions): SandboxClientOptions {
  if (options.remote === null) {
    return { unreachableHint: "the Beseda started for this run is not answering" };
  }
  return {
    unreachableHint: `is a Beseda running there? (${options.urlFromEnv ? "BESEDA_URL in the environment" : "--url"})`,
    unauthorizedHint: "give --admin-token (or BESEDA_ADMIN_TOKEN), or --data-dir of that server",
  };
}

/** Makes the --bot-log file empty (and its folder); the exit code (2) when it cannot. */
async function prepareBotLog(path: string | null, cwd: string): Promise<string | null | number> {
  if (path === null) return null;
  const absolute = resolve(cwd, path);
  try {
    await mkdir(dirname(absolute), { recursive: true });
    await writeFile(absolute, "");
    return absolute;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return refuse(`cannot write --bot-log ${path} (${reason})`, 2);
  }
}

export async function testCommand(argv: string[]): Promise<number> {
  const cwd = process.cwd();
  const given = options(argv);
  if (typeof given === "number") return given;
  const selection = await selectScenarios(given, cwd);
  if (typeof selection === "number") return selection;
  const botLog = await prepareBotLog(given.botLog, cwd);
  if (typeof botLog === "number") return botLog;

  // With --json -, stdout carries the JSON only.
  const human = given.json === "-" ? process.stderr : process.stdout;
  const terminal = human.isTTY === true;
  // Each needs the other: the notes of an interruption are printed by the reporter, whose
  // writes stop once the output is gone.
  const interruptions = new Interruptions((text) => reporter.line(text));
  const reporter = new TextReporter((text) => interruptions.write(human, text), {
    colour: terminal && !process.env.NO_COLOR,
    live: terminal,
    columns: human.columns || 80,
  });
  interruptions.install();
  const { signal } = interruptions;

  const results: ScenarioResult[] = [];
  let server: OwnServer | null = null;
  let sellers: SellerAccounts | null = null;
  let runnerFailed = false;
  try {
    let connection: Connection;
    if (given.remote) connection = given.remote;
    else {
      server = await startOwnServer(signal);
      connection = server;
    }
    const sandbox = new SandboxClient(connection, {
      ...clientHints(given),
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    // Reachable, and the admin token accepted, before anything is reported as run.
    if (given.remote) await sandbox.call("GET", "/clock", undefined, { signal });
    const bot =
      given.bot === null
        ? null
        : new ManagedBot({
            command: given.bot,
            besedaUrl: connection.url,
            sandbox,
            logFile: botLog,
          });
    sellers = new SellerAccounts({
      sandbox,
      besedaUrl: connection.url,
      bot,
      botReadyTimeoutMs: given.botReadyTimeoutMs,
      account: given.account,
      remote: given.remote !== null,
      signal,
    });
    // A bot account that cannot work would fail every scenario alike: a wrong use, said once.
    // Only when the first scenario runs in the world as it is (a fixture replaces it).
    if (given.remote && selection.selected[0]?.scenario.world.fixture === null) {
      const problem = await sellers.preflight();
      if (problem !== null) {
        interruptions.uninstall();
        return refuse(`${problem}: nothing ran`, 2);
      }
    }
    reporter.line(headerLine(selection, connection.url, server !== null, given));
    const ownServer = server;
    await runScenarios(
      selection.selected,
      {
        sandbox,
        sellers,
        bot,
        botLog: given.botLog,
        serverFailure: () => ownServer?.failure() ?? null,
        reporter,
        defaultTimeoutMs: given.timeoutMs,
        bail: given.bail,
        signal,
      },
      results,
    );
  } catch (error) {
    // The Beseda could not be started or reached: what did not run could not, and says why.
    if (!(error instanceof Error)) throw error;
    const reason = server?.failure() ?? error.message;
    reporter.line(`beseda test: ${reason}`);
    runnerFailed = !signal.aborted;
    for (const loaded of selection.selected.slice(results.length)) {
      const report = signal.aborted
        ? notRun(loaded, "skipped", null)
        : notRun(loaded, "failed", `not run: ${reason}`);
      results.push({ loaded, report, botOutput: null });
    }
  } finally {
    // The bot stopped, and on a Beseda the user runs, its subscription removed.
    const left = await sellers?.release();
    if (left) reporter.line(`beseda test: ${left}`);
    await server?.stop();
  }

  const problems = await writeReports(
    results.map((result) => ({
      report: result.report,
      scripts: result.loaded.scenario.buyers,
      botOutput: result.botOutput,
    })),
    { json: given.json, junit: given.junit },
    { stdout: (text) => interruptions.write(process.stdout, text), cwd },
  );
  for (const problem of problems) reporter.line(`beseda test: ${problem}`);
  reporter.summary(results.map((result) => result.report));
  interruptions.uninstall();
  // A reader that went away while the last lines were written (`| head`) is heard only now.
  await interruptions.settled();
  if (interruptions.exitCode !== null) return interruptions.exitCode;
  const failed = results.some((result) => result.report.outcome === "failed");
  return failed || runnerFailed || problems.length > 0 ? 1 : 0;
}
