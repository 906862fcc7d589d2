// The scenarios of a `beseda test` run, one after another on one Beseda: each with the engine
// (runScenario), its block printed as it ends; after a failure with --bail, after Ctrl-C, or once
// the bot could not start, the rest are reported skipped.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { ScenarioReport } from "../../scenarios/report.ts";
import { runScenario } from "../../scenarios/run-scenario.ts";
import type { SandboxClient } from "../sandbox-client.ts";
import type { ManagedBot } from "./managed-bot.ts";
import type { LoadedScenario } from "./scenario-files.ts";
import type { SellerAccounts } from "./seller-accounts.ts";
import { BOT_OUTPUT_LINES, type TextReporter } from "./text-reporter.ts";

export interface ScenarioSession {
  sandbox: SandboxClient;
  sellers: SellerAccounts;
  bot: ManagedBot | null;
  reporter: TextReporter;
  defaultTimeoutMs: number;
  bail: boolean;
  signal: AbortSignal;
}

/** The ISO time of now, from the monotonic clock's origin (the server's clock is not ours). */
function isoNow(): string {
  return new Date(performance.timeOrigin + performance.now()).toISOString();
}

/** The report of a scenario that did not run, or failed before the engine could say anything. */
export function notRun(
  loaded: LoadedScenario,
  outcome: "skipped" | "failed",
  error: string | null,
): ScenarioReport {
  return {
    name: loaded.scenario.name,
    file: loaded.file,
    position: loaded.scenario.position,
    outcome,
    error,
    started_at: isoNow(),
    duration_ms: 0,
    seller_id: null,
    buyers: [],
    reply_times: null,
  };
}

/** A file a scenario names (an image, a voice, a fixture): relative to the scenario's file. */
async function readScenarioFile(loaded: LoadedScenario, path: string): Promise<Uint8Array> {
  try {
    return await readFile(resolve(dirname(loaded.absolutePath), path));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot read ${path} (relative to ${loaded.file}): ${reason}`);
  }
}

async function runOne(loaded: LoadedScenario, session: ScenarioSession): Promise<ScenarioReport> {
  const started = performance.now();
  try {
    return await runScenario(loaded.scenario, {
      sandbox: session.sandbox,
      seller: (fixtureSeller) => session.sellers.seller(fixtureSeller),
      readFile: (path) => readScenarioFile(loaded, path),
      defaultTimeoutMs: session.defaultTimeoutMs,
      signal: session.signal,
      observer: session.reporter.observer(loaded.file),
    });
  } catch (error) {
    // The engine reports a scenario's own failures; this is a fault of the engine's.
    const report = notRun(loaded, "failed", `the runner failed: ${(error as Error).message}`);
    report.duration_ms = performance.now() - started;
    return report;
  }
}

/** Runs `selected` in order, appending each report to `reports` as it ends. */
export async function runScenarios(
  selected: LoadedScenario[],
  session: ScenarioSession,
  reports: ScenarioReport[],
): Promise<void> {
  let bailed = false;
  for (const loaded of selected) {
    const report =
      session.signal.aborted || bailed || session.sellers.botFailure
        ? notRun(loaded, "skipped", null)
        : await runOne(loaded, session);
    reports.push(report);
    const botOutput =
      session.bot && report.outcome === "failed" ? session.bot.lastLines(BOT_OUTPUT_LINES) : null;
    session.reporter.scenario(loaded.file, loaded.scenario, report, botOutput);
    if (report.outcome === "failed" && session.bail) bailed = true;
  }
  if (session.sellers.botFailure) {
    session.reporter.line("beseda test: the bot failed to start, so nothing after it ran");
  }
}
