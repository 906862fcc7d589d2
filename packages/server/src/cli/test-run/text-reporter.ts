// What `beseda test` prints for people: a block per scenario (its outcome, then each buyer run's
// steps with durations and reply times; a failing step with what was expected, what came, and
// the conversation so far; the runner's notes about it (the bot exited); the bot's output while
// it ran, when it failed), and the summary line. A scenario's block is
// printed whole when it ends, so that buyers running at once never interleave; on a terminal a
// status line shows meanwhile which step just ended. Colour only on a terminal without NO_COLOR.
import type { Scenario } from "../../scenarios/model.ts";
import type {
  BuyerRunReport,
  ConversationLine,
  Outcome,
  ReplyTimes,
  ScenarioObserver,
  ScenarioReport,
  StepReport,
} from "../../scenarios/report.ts";

/** Lines of the bot's output printed under a failing scenario. */
const BOT_OUTPUT_LINES = 30;
/** Failed buyer runs of a load test printed in full; the rest are counted. */
const FAILED_RUNS_SHOWN = 3;
/** Messages of a conversation printed; older ones are counted. */
const CONVERSATION_LINES = 20;
const LABEL_WIDTH_MAX = 64;

/** What the runner adds to a scenario's block. */
export interface ScenarioExtras {
  /** Lines of the runner's own about it ("the bot exited (code 7) …"). */
  notes: string[];
  /** The bot's output while it ran, shown when it failed; null: no managed bot, or not shown. */
  botOutput: string[] | null;
  /** --bot-log FILE: where the whole of it is; null: not kept. */
  botLog: string | null;
}

export interface ReporterOptions {
  colour: boolean;
  /** A terminal: the status line is drawn (and erased) while a scenario runs. */
  live: boolean;
  /** The terminal's width, for the status line. */
  columns: number;
}

type Paint = (text: string) => string;

function painter(enabled: boolean, code: string): Paint {
  return enabled ? (text) => `\u001b[${code}m${text}\u001b[0m` : (text) => text;
}

/** "12 ms" under a second, else "1.2 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A load test: each script runs many times (`repeat` > 1). Its buyer runs are counted rather than
 * listed, and its reply times summed up. Buyers side by side (`concurrency`, by default the number
 * of buyers) are not one: each has its steps, with their reply times, printed.
 */
function isLoadTest(scenario: Scenario): boolean {
  return scenario.repeat > 1;
}

/** A scenario the runner was interrupted in: skipped, with the interruption as its error. */
function isInterrupted(report: ScenarioReport): boolean {
  return report.outcome === "skipped" && report.error !== null;
}

function replyTimesLine(times: ReplyTimes): string {
  const timedOut = times.timed_out > 0 ? `, ${times.timed_out} timed out` : "";
  if (times.count === 0) return `reply times: no reply came${timedOut}`;
  const ms = (value: number | null) => (value === null ? "-" : formatMs(value));
  return `reply times: ${times.count} ${times.count === 1 ? "reply" : "replies"}, p50 ${ms(times.p50_ms)}, p95 ${ms(times.p95_ms)}, p99 ${ms(times.p99_ms)}, max ${ms(times.max_ms)}${timedOut}`;
}

/** "10:01:02": the sandbox clock's time of day (UTC) of unix seconds. */
function timeOfDay(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(11, 19);
}

/** Lines after the first of a multi-line value, indented under it. */
function continued(text: string, indent: string): string {
  return text.replace(/\r?\n/g, `\n${indent}`);
}

export class TextReporter {
  readonly #write: (text: string) => void;
  readonly #options: ReporterOptions;
  readonly #green: Paint;
  readonly #red: Paint;
  readonly #yellow: Paint;
  readonly #dim: Paint;
  readonly #bold: Paint;
  #statusShown = false;

  constructor(write: (text: string) => void, options: ReporterOptions) {
    this.#write = write;
    this.#options = options;
    this.#green = painter(options.colour, "32");
    this.#red = painter(options.colour, "31");
    this.#yellow = painter(options.colour, "33");
    this.#dim = painter(options.colour, "2");
    this.#bold = painter(options.colour, "1");
  }

  /** One line of the runner's own (the header, a note). */
  line(text: string): void {
    this.#clearStatus();
    this.#write(`${text}\n`);
  }

  /** What the engine tells while `scenario` runs: the status line on a terminal. */
  observer(file: string): ScenarioObserver {
    if (!this.#options.live) return {};
    return {
      scenarioStarted: (report) => this.#status(`${file}  ${report.name}`),
      stepEnded: (buyer, step) => this.#status(`${file}  ${buyer.buyer}  ${step.title}`),
    };
  }

  /** A scenario's whole block, once it has ended. */
  scenario(file: string, scenario: Scenario, report: ScenarioReport, extras: ScenarioExtras) {
    const lines: string[] = [];
    const title = `${this.#mark(report.outcome)} ${this.#bold(file)}  ${report.name}`;
    if (report.outcome === "skipped") {
      const why = report.error === null ? "" : `: ${report.error}`;
      lines.push(`${title}  ${this.#dim(`(skipped${why})`)}`);
      this.line(lines.join("\n"));
      return;
    }
    lines.push(`${title} ${this.#dim(`(${formatMs(report.duration_ms)})`)}`);
    if (report.error !== null) {
      lines.push(`    ${this.#red("error:")} ${continued(report.error, "           ")}`);
    }
    lines.push(...this.#buyerRuns(file, scenario, report.buyers));
    for (const note of extras.notes) {
      lines.push(`    ${this.#yellow("note:")} ${continued(note, "          ")}`);
    }
    if (extras.botOutput !== null) {
      lines.push(`    ${this.#dim(`bot output (this scenario, last ${BOT_OUTPUT_LINES} lines):`)}`);
      const tail = extras.botOutput.slice(-BOT_OUTPUT_LINES);
      if (tail.length === 0) lines.push(`      ${this.#dim("(nothing)")}`);
      for (const text of tail) lines.push(`      ${text}`);
      lines.push(
        `    ${this.#dim(extras.botLog === null ? "(whole log: not kept; give --bot-log FILE)" : `(whole log: ${extras.botLog})`)}`,
      );
    }
    if (isLoadTest(scenario) && report.reply_times !== null) {
      lines.push(`  ${replyTimesLine(report.reply_times)}`);
    }
    this.line(lines.join("\n"));
  }

  /** The last line: "N passed, M failed" (and interrupted and skipped ones). */
  summary(reports: ScenarioReport[]): void {
    const count = (outcome: Outcome) => reports.filter((r) => r.outcome === outcome).length;
    const failed = count("failed");
    const interrupted = reports.filter(isInterrupted).length;
    const skipped = count("skipped") - interrupted;
    const parts = [
      this.#green(`${count("passed")} passed`),
      failed > 0 ? this.#red(`${failed} failed`) : `${failed} failed`,
    ];
    if (interrupted > 0) parts.push(this.#yellow(`${interrupted} interrupted`));
    if (skipped > 0) parts.push(this.#yellow(`${skipped} skipped`));
    this.line(parts.join(", "));
  }

  #buyerRuns(file: string, scenario: Scenario, runs: BuyerRunReport[]): string[] {
    if (!isLoadTest(scenario)) return runs.flatMap((run) => this.#steps(file, run));
    // A load test: each failed run in full (the first few), the passed ones counted.
    const lines: string[] = [];
    const passed = runs.filter((run) => run.outcome === "passed").length;
    const failed = runs.filter((run) => run.outcome === "failed");
    const skipped = runs.length - passed - failed.length;
    lines.push(
      `    ${this.#mark(passed === runs.length ? "passed" : "failed")} ${passed} of ${runs.length} buyer runs passed${skipped > 0 ? `, ${skipped} skipped` : ""}`,
    );
    for (const run of failed.slice(0, FAILED_RUNS_SHOWN)) lines.push(...this.#steps(file, run));
    if (failed.length > FAILED_RUNS_SHOWN) {
      lines.push(
        `    ${this.#dim(`… and ${failed.length - FAILED_RUNS_SHOWN} more failed buyer runs (--json has them all)`)}`,
      );
    }
    return lines;
  }

  #steps(file: string, run: BuyerRunReport): string[] {
    const labels = run.steps.map((step) => `${run.buyer}  ${step.title}`);
    const width = Math.min(LABEL_WIDTH_MAX, Math.max(0, ...labels.map((label) => label.length)));
    const lines: string[] = [];
    run.steps.forEach((step, index) => {
      const label = (labels[index] as string).padEnd(width);
      const mark = this.#mark(step.outcome);
      if (step.outcome === "skipped") {
        lines.push(`    ${mark} ${this.#dim(`${label}  (skipped)`)}`);
        return;
      }
      const duration = formatMs(step.duration_ms).padStart(8);
      if (step.outcome === "passed") {
        const reply = step.reply_ms === null ? "" : `  reply in ${formatMs(step.reply_ms)}`;
        lines.push(`    ${mark} ${label}${this.#dim(`${duration}${reply}`)}`);
        return;
      }
      const where = `${file}:${step.position.line}:${step.position.column}`;
      lines.push(`    ${mark} ${label}${this.#dim(duration)}  at ${where}`);
      lines.push(...this.#failure(step, run.conversation));
    });
    if (run.steps.length === 0 && run.outcome === "failed") {
      lines.push(`    ${this.#mark("failed")} ${run.buyer}  (no step ran)`);
    }
    return lines;
  }

  #failure(step: StepReport, conversation: ConversationLine[]): string[] {
    const failure = step.failure;
    const lines: string[] = [];
    const indent = "        ";
    if (failure !== null) {
      if (failure.expected === null || failure.actual === null) {
        lines.push(`${indent}${continued(failure.message, indent)}`);
      }
      if (failure.expected !== null) {
        lines.push(
          `${indent}${this.#dim("expected:")} ${continued(failure.expected, `${indent}          `)}`,
        );
      }
      if (failure.actual !== null) {
        lines.push(
          `${indent}${this.#dim("actual:")}   ${this.#red(continued(failure.actual, `${indent}          `))}`,
        );
      }
    }
    lines.push(
      `${indent}${this.#dim("conversation:")}${conversation.length === 0 ? " (no messages)" : ""}`,
    );
    const shown = conversation.slice(-CONVERSATION_LINES);
    if (shown.length < conversation.length) {
      lines.push(
        `${indent}  ${this.#dim(`… ${conversation.length - shown.length} earlier messages`)}`,
      );
    }
    for (const message of shown) {
      const prefix = `${message.side.padEnd(6)}  ${timeOfDay(message.created)}  `;
      lines.push(
        `${indent}  ${this.#dim(prefix)}${continued(message.text, `${indent}  ${" ".repeat(prefix.length)}`)}`,
      );
    }
    return lines;
  }

  #mark(outcome: Outcome): string {
    if (outcome === "passed") return this.#green("✓");
    if (outcome === "failed") return this.#red("✗");
    return this.#yellow("-");
  }

  #status(text: string): void {
    const width = Math.max(20, this.#options.columns - 1);
    const shown = `… ${text}`.replace(/\s+/g, " ");
    this.#write(
      `\r\u001b[K${this.#dim(shown.length > width ? `${shown.slice(0, width - 1)}…` : shown)}`,
    );
    this.#statusShown = true;
  }

  #clearStatus(): void {
    if (!this.#statusShown) return;
    this.#write("\r\u001b[K");
    this.#statusShown = false;
  }
}
