// `beseda test [files or folders…]`: runs scenario files (scripted buyers) against a bot, like a
// test runner. Every file is parsed before anything runs; then each scenario runs in turn against
// a Beseda (--url, or one started for the run on a temporary data dir) while the user's bot
// answers as it would in production (--bot starts it). Prints a block per scenario and a summary,
// writes --junit and --json reports. Exit codes: 0 all passed, 1 a scenario failed (or the bot or
// the server failed), 2 a wrong use or a malformed scenario, 130 interrupted.
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScenarioReport } from "../scenarios/report.ts";
import { CliError, type Connection, SandboxClient } from "./sandbox-client.ts";
import { ManagedBot } from "./test-run/managed-bot.ts";
import { type OwnServer, startOwnServer } from "./test-run/own-server.ts";
import { writeReports } from "./test-run/report-files.ts";
import { notRun, runScenarios } from "./test-run/run-scenarios.ts";
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

const EXIT_INTERRUPTED = 130;

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
    : `Beseda at ${url}`;
  const whose =
    options.bot !== null
      ? `, bot: ${options.bot}`
      : options.account !== null
        ? `, bot account ${options.account}`
        : "";
  return `beseda test: ${counted}, ${where}${whose}`;
}

export async function testCommand(argv: string[]): Promise<number> {
  const cwd = process.cwd();
  const given = options(argv);
  if (typeof given === "number") return given;
  const selection = await selectScenarios(given, cwd);
  if (typeof selection === "number") return selection;

  // With --json -, stdout carries the JSON only.
  const human = given.json === "-" ? process.stderr : process.stdout;
  const terminal = human.isTTY === true;
  const reporter = new TextReporter((text) => human.write(text), {
    colour: terminal && !process.env.NO_COLOR,
    live: terminal,
    columns: human.columns || 80,
  });

  const interrupt = new AbortController();
  const tempDir = await mkdtemp(join(tmpdir(), "beseda-test-"));
  const onSignal = () => {
    if (!interrupt.signal.aborted) {
      interrupt.abort();
      reporter.line("interrupted: stopping (Ctrl-C again to quit at once)");
      return;
    }
    // The second time: no waiting; the exit hook of process-group.ts kills the children.
    rmSync(tempDir, { recursive: true, force: true });
    process.exit(EXIT_INTERRUPTED);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const reports: ScenarioReport[] = [];
  let server: OwnServer | null = null;
  let bot: ManagedBot | null = null;
  let runnerFailed = false;
  try {
    let connection: Connection;
    if (given.remote) {
      connection = given.remote;
      // Reachable, and the admin token accepted, before anything is reported as run.
      await new SandboxClient(connection).call("GET", "/clock");
    } else {
      server = await startOwnServer(join(tempDir, "data"), interrupt.signal);
      connection = { url: server.url, adminToken: server.adminToken };
    }
    const sandbox = new SandboxClient(connection);
    if (given.bot !== null) {
      bot = new ManagedBot({
        command: given.bot,
        besedaUrl: connection.url,
        sandbox,
        logFile: join(tempDir, "bot.log"),
      });
    }
    const sellers = new SellerAccounts({
      sandbox,
      besedaUrl: connection.url,
      bot,
      botReadyTimeoutMs: given.botReadyTimeoutMs,
      account: given.account,
      signal: interrupt.signal,
    });
    reporter.line(headerLine(selection, connection.url, server !== null, given));
    await runScenarios(
      selection.selected,
      {
        sandbox,
        sellers,
        bot,
        reporter,
        defaultTimeoutMs: given.timeoutMs,
        bail: given.bail,
        signal: interrupt.signal,
      },
      reports,
    );
  } catch (error) {
    // The Beseda could not be started or reached: what did not run is reported skipped.
    if (!(error instanceof Error)) throw error;
    runnerFailed = true;
    reporter.line(`beseda test: ${error.message}`);
    for (const loaded of selection.selected.slice(reports.length)) {
      reports.push(notRun(loaded, "skipped", null));
    }
  } finally {
    await bot?.stop();
    await server?.stop();
    await rm(tempDir, { recursive: true, force: true });
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  const problems = await writeReports(
    reports,
    { json: given.json, junit: given.junit },
    { stdout: (text) => process.stdout.write(text), cwd },
  );
  for (const problem of problems) reporter.line(`beseda test: ${problem}`);
  reporter.summary(reports);
  if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
  const failed = reports.some((report) => report.outcome === "failed");
  return failed || runnerFailed || problems.length > 0 ? 1 : 0;
}
