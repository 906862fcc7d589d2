// What a scenario reports: named figures with units, and goals to read them against. The runner
// prints them as a table, writes them as JSON and into BENCHMARKS.md (the reliability suite's
// runner does the same into RELIABILITY.md).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** A goal the issue set, as text, and whether this run met it. */
  goal?: { text: string; met: boolean };
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  figures: Figure[];
  notes: string[];
}

export interface Scenario {
  name: string;
  description: string;
  run(options: { smoke: boolean; large: boolean }): Promise<ScenarioResult>;
}

export function table(results: readonly ScenarioResult[]): string {
  const rows = ["| Scenario | Figure | Value | Goal |", "|---|---|---|---|"];
  for (const result of results) {
    for (const figure of result.figures) {
      const goal = figure.goal ? `${figure.goal.text} ${figure.goal.met ? "✅" : "❌"}` : "";
      rows.push(
        `| ${result.scenario} | ${figure.name} | ${figure.value} ${figure.unit} | ${goal} |`,
      );
    }
  }
  return rows.join("\n");
}

/** The machine a run was made on, as the reports name it. */
export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? "CPU";
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export interface Run {
  machine: string;
  /** ISO time the run ended. */
  date: string;
  command: string;
  results: readonly ScenarioResult[];
}

/** Writes a run's figures, and anything else worth keeping, as JSON in `folder`; returns the file. */
export function writeRunJson(folder: string, run: Run & Record<string, unknown>): string {
  mkdirSync(folder, { recursive: true });
  const file = `${folder}/${run.date.replaceAll(/[:.]/g, "-")}.json`;
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  return file;
}

/** A report in markdown: the title, how it was written, the machine, date and command, the table, the notes. */
export function markdownReport(title: string, writtenBy: string, run: Run): string {
  const notes = run.results.flatMap((r) => r.notes.map((n) => `- ${r.scenario}: ${n}`));
  return [
    `# ${title}`,
    "",
    writtenBy,
    "",
    `- Machine: ${run.machine}`,
    `- Date: ${run.date}`,
    `- Command: \`${run.command}\``,
    "",
    table(run.results),
    "",
    ...notes,
    "",
  ].join("\n");
}
