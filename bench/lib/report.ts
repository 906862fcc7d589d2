// What a scenario reports: named figures with units, and goals to read them against. The runner
// prints them as a table, writes them as JSON and into BENCHMARKS.md.
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
