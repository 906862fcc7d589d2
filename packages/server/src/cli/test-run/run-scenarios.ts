// The scenarios of a `beseda test` run, one after another on one Beseda: each with the engine
// (runScenario), its block printed as it ends. A managed bot that exits while a scenario runs
// ends that scenario at once (the engine reports the reason as the failing step's message) and
// is started again for the next. A scenario that Ctrl-C (or SIGTERM…) cut short is reported
// skipped, its error saying so (interrupted-report.ts). After a failure with --bail, or after
// Ctrl-C, the rest are reported skipped; once the runner itself cannot go on (the bot could not
// start, the Beseda it started exited), the rest are reported failed with that reason: they
// could not run.
import { realNowMs } from "../../clock.ts";
import { interruption } from "../../scenarios/abortable.ts";
import { type ScenarioReport, unrunScenarioReport } from "../../scenarios/report.ts";
import { runScenario } from "../../scenarios/run-scenario.ts";
import type { SandboxClient } from "../sandbox-client.ts";
import { asInterrupted } from "./interrupted-report.ts";
import type { ManagedBot } from "./managed-bot.ts";
import { describeExit } from "./process-group.ts";
import { readReferencedFile } from "./referenced-files.ts";
import type { LoadedScenario } from "./scenario-files.ts";
import type { SellerAccounts } from "./seller-accounts.ts";
import type { TextReporter } from "./text-reporter.ts";

/** Lines of the bot's output kept for a scenario (the JUnit report's <system-out>). */
const BOT_LINES_KEPT = 1000;

export interface ScenarioSession {
  sandbox: SandboxClient;
  sellers: SellerAccounts;
  bot: ManagedBot | null;
  /** --bot-log FILE, or null: where the bot's whole output is. */
  botLog: string | null;
  /** Why the Beseda started for the run is no use any more (it exited), or null. */
  serverFailure: () => string | null;
  reporter: TextReporter;
  defaultTimeoutMs: number;
  bail: boolean;
  signal: AbortSignal;
}

/** A scenario's report, and what the runner saw around it. */
export interface ScenarioResult {
  loaded: LoadedScenario;
  report: ScenarioReport;
  /** What the managed bot printed while it ran; null without one. */
  botOutput: string[] | null;
}

/** The report of a scenario that did not run, or failed before the engine could say anything. */
export function notRun(
  loaded: LoadedScenario,
  outcome: "skipped" | "failed",
  error: string | null,
): ScenarioReport {
  return unrunScenarioReport(loaded.scenario, outcome, error, realNowMs());
}

async function runOne(
  loaded: LoadedScenario,
  session: ScenarioSession,
  signal: AbortSignal,
): Promise<ScenarioReport> {
  const started = performance.now();
  try {
    return await runScenario(loaded.scenario, {
      sandbox: session.sandbox,
      seller: (fixtureSeller) => session.sellers.seller(fixtureSeller),
      readFile: (path) => readReferencedFile(loaded.absolutePath, path),
      defaultTimeoutMs: session.defaultTimeoutMs,
      signal,
      now: realNowMs,
      observer: session.reporter.observer(loaded.file),
    });
  } catch (error) {
    // The engine reports a scenario's own failures; this is a fault of the engine's.
    const report = notRun(loaded, "failed", `the runner failed: ${(error as Error).message}`);
    report.duration_ms = Math.round(performance.now() - started);
    return report;
  }
}

/** Why nothing more can run, or null. */
function runnerFailure(session: ScenarioSession): string | null {
  const server = session.serverFailure();
  if (server !== null) return server;
  const bot = session.sellers.botFailure;
  return bot === null ? null : `the bot could not start: ${bot.message}`;
}

/** Whether a failing step of `report`, or its error, says `text` already. */
function failureSays(report: ScenarioReport, text: string): boolean {
  if (report.error?.includes(text)) return true;
  return report.buyers.some((run) =>
    run.steps.some((step) => step.outcome === "failed" && step.failure?.message === text),
  );
}

/** Runs a scenario while watching the bot: its exit ends the scenario at once. */
async function watched(
  loaded: LoadedScenario,
  session: ScenarioSession,
): Promise<{ report: ScenarioReport; notes: string[]; botOutput: string[] | null }> {
  const { bot } = session;
  const mark = bot?.outputMark() ?? 0;
  const botExited = new AbortController();
  const stopListening = bot?.onUnexpectedExit((exit) => {
    botExited.abort(
      new Error(
        `the bot exited (${describeExit(exit)}) while the scenario ran; it will be started again if another scenario runs`,
      ),
    );
  });
  const ran = await runOne(loaded, session, AbortSignal.any([session.signal, botExited.signal]));
  stopListening?.();
  // The runner was stopped (Ctrl-C): what that cut short did not fail.
  const report = session.signal.aborted
    ? asInterrupted(ran, interruption(session.signal.reason))
    : ran;
  const notes: string[] = [];
  if (botExited.signal.aborted) {
    const exited = (botExited.signal.reason as Error).message;
    // Said once: not again when a failing step or the scenario's error says it already.
    if (!failureSays(report, exited)) notes.push(exited);
  }
  const server = session.serverFailure();
  if (server !== null) notes.push(server);
  const botOutput = bot ? bot.outputSince(mark, BOT_LINES_KEPT) : null;
  return { report, notes, botOutput };
}

/** Runs `selected` in order, appending each result to `results` as it ends. */
export async function runScenarios(
  selected: LoadedScenario[],
  session: ScenarioSession,
  results: ScenarioResult[],
): Promise<void> {
  let bailed = false;
  for (const loaded of selected) {
    // What the last block's write did (EPIPE: the reader went away) lands before the next starts.
    await new Promise((resolve) => setImmediate(resolve));
    const cannot = runnerFailure(session);
    let result: ScenarioResult;
    let notes: string[] = [];
    if (session.signal.aborted || bailed) {
      result = { loaded, report: notRun(loaded, "skipped", null), botOutput: null };
    } else if (cannot !== null) {
      result = { loaded, report: notRun(loaded, "failed", `not run: ${cannot}`), botOutput: null };
    } else {
      const ran = await watched(loaded, session);
      result = { loaded, report: ran.report, botOutput: ran.botOutput };
      notes = ran.notes;
    }
    results.push(result);
    session.reporter.scenario(loaded.file, loaded.scenario, result.report, {
      notes,
      botOutput: result.report.outcome === "failed" ? result.botOutput : null,
      botLog: session.botLog,
    });
    if (result.report.outcome === "failed" && session.bail) bailed = true;
  }
}
