// The scenario runs started through the sandbox API (POST /sandbox/v1/scenarios/run), kept in
// memory: each run's status and its ScenarioReport as it grows (the engine's observer fills it
// in), so that GET …/runs/{run_id} can be polled while it runs; of a load test's many buyer runs
// only some keep their steps (kept-steps.ts). The last KEPT_RUNS are kept; running ones are never
// evicted. At most MAX_RUNNING run at once. On close every running run is aborted and awaited, so
// that each removes what it made (its fault rules) while the server can still answer it.
import { randomBytes } from "node:crypto";
import { KeptSteps } from "./kept-steps.ts";
import type { Scenario } from "./model.ts";
import { type ScenarioObserver, type ScenarioReport, unrunScenarioReport } from "./report.ts";
import type { ScenarioRunOptions } from "./run-options.ts";
import { runScenario } from "./run-scenario.ts";

/** At most this many runs at once: each holds buyers, an event stream and a bot busy. */
export const MAX_RUNNING = 5;
/** How many runs are kept (the oldest ended ones go first). */
export const KEPT_RUNS = 50;
/**
 * How long closing waits for aborted runs to end. An aborted run ends promptly (its waits follow
 * the signal); this only keeps a stuck cleanup call from holding the server's close open.
 */
const CLOSE_GRACE_MS = 5_000;

export type ScenarioRunStatus = "running" | "passed" | "failed" | "cancelled";

/** A run as the API shows it (ScenarioRun in sandbox.json). */
export interface ScenarioRun {
  id: string;
  status: ScenarioRunStatus;
  /** The scenario's name. */
  scenario: string;
  /** The seller: the bot's account the buyers write to. */
  account: number | null;
  started_at: string;
  ended_at: string | null;
  /** The report so far; null until the engine has begun. */
  report: ScenarioReport | null;
}

/** A run in a list: everything but its report (ScenarioRunSummary in sandbox.json). */
export type ScenarioRunSummary = Omit<ScenarioRun, "report">;

/** What a run needs besides its scenario: runScenario's options, less those the registry owns. */
export type RunContext = Omit<ScenarioRunOptions, "signal" | "observer" | "now">;

export type StartResult =
  | { started: true; run: ScenarioRun }
  | { started: false; reason: "busy" | "closed" };

interface Entry {
  id: string;
  scenario: Scenario;
  account: number | null;
  status: ScenarioRunStatus;
  startedAt: number;
  endedAt: number | null;
  /** The engine's report, from scenarioStarted: it grows in place as the run goes. */
  report: ScenarioReport | null;
  /** Which of its ended buyer runs keep their steps. */
  keptSteps: KeptSteps;
  controller: AbortController;
  done: Promise<void>;
}

export interface ScenarioRunsOptions {
  /**
   * Milliseconds since the epoch, real time (a scenario may move the sandbox clock): the server's
   * clock, so that a run's times agree with everything else it stamps.
   */
  now: () => number;
  maxRunning?: number;
  kept?: number;
}

export class ScenarioRuns {
  /** Oldest first. */
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #maxRunning: number;
  readonly #kept: number;
  #closed = false;

  constructor(options: ScenarioRunsOptions) {
    this.#now = options.now;
    this.#maxRunning = options.maxRunning ?? MAX_RUNNING;
    this.#kept = options.kept ?? KEPT_RUNS;
  }

  get running(): number {
    return [...this.#entries.values()].filter((e) => e.status === "running").length;
  }

  /** Starts a run in the background; its answer is the run as it stands at once. */
  start(scenario: Scenario, account: number | null, context: RunContext): StartResult {
    if (this.#closed) return { started: false, reason: "closed" };
    if (this.running >= this.#maxRunning) return { started: false, reason: "busy" };
    const entry: Entry = {
      id: `run-${randomBytes(8).toString("hex")}`,
      scenario,
      account,
      status: "running",
      startedAt: this.#now(),
      endedAt: null,
      report: null,
      keptSteps: new KeptSteps(),
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    this.#entries.set(entry.id, entry);
    this.#evict();
    entry.done = this.#run(entry, context);
    return { started: true, run: this.#view(entry) };
  }

  get(id: string): ScenarioRun | null {
    const entry = this.#entries.get(id);
    return entry ? this.#view(entry) : null;
  }

  /** Newest first, without their reports. */
  list(): ScenarioRunSummary[] {
    return [...this.#entries.values()].reverse().map((entry) => {
      const { report: _report, ...summary } = this.#view(entry);
      return summary;
    });
  }

  /** Aborts a running run and waits for it to end; an ended one is answered as it is. */
  async cancel(id: string): Promise<ScenarioRun | null> {
    const entry = this.#entries.get(id);
    if (!entry) return null;
    entry.controller.abort();
    await entry.done;
    return this.#view(entry);
  }

  /** Refuses new runs, aborts the running ones and waits (a bounded time) for them to end. */
  async close(): Promise<void> {
    this.#closed = true;
    const running = [...this.#entries.values()].filter((e) => e.status === "running");
    for (const entry of running) entry.controller.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running.map((e) => e.done)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  async #run(entry: Entry, context: RunContext): Promise<void> {
    let report: ScenarioReport;
    try {
      report = await runScenario(entry.scenario, {
        ...context,
        signal: entry.controller.signal,
        now: this.#now,
        observer: this.#observer(entry),
      });
    } catch (error) {
      // runScenario reports a scenario's failure; a throw is a fault of its own, shown as the
      // scenario's error rather than lost.
      report = this.#failedReport(entry, (error as Error).message);
    }
    // The buyer runs that never began are in the report only now.
    entry.keptSteps.scenarioEnded(report);
    entry.report = report;
    entry.endedAt = this.#now();
    if (report.outcome === "passed") entry.status = "passed";
    else entry.status = entry.controller.signal.aborted ? "cancelled" : "failed";
    this.#evict();
  }

  #observer(entry: Entry): ScenarioObserver {
    return {
      scenarioStarted: (report) => {
        entry.report = report;
      },
      buyerEnded: (buyer) => entry.keptSteps.ended(buyer),
      scenarioEnded: (report) => {
        entry.report = report;
      },
    };
  }

  /** A run whose engine threw: the scenario failed with that message, as far as it had got. */
  #failedReport(entry: Entry, message: string): ScenarioReport {
    return {
      ...unrunScenarioReport(entry.scenario, "failed", message, entry.startedAt),
      duration_ms: Math.round(this.#now() - entry.startedAt),
      seller_id: entry.report?.seller_id ?? null,
      buyers: entry.report?.buyers ?? [],
    };
  }

  #view(entry: Entry): ScenarioRun {
    return {
      id: entry.id,
      status: entry.status,
      scenario: entry.scenario.name,
      account: entry.report?.seller_id ?? entry.account,
      started_at: new Date(entry.startedAt).toISOString(),
      ended_at: entry.endedAt === null ? null : new Date(entry.endedAt).toISOString(),
      report: entry.report,
    };
  }

  /** Drops the oldest ended runs beyond the kept number. */
  #evict(): void {
    let excess = this.#entries.size - this.#kept;
    for (const [id, entry] of this.#entries) {
      if (excess <= 0) break;
      if (entry.status === "running") continue;
      this.#entries.delete(id);
      excess--;
    }
  }
}
