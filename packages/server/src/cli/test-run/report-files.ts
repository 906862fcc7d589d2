// `beseda test --json FILE|-` and `--junit FILE`: the reports written for machines. The JSON is
// the ScenarioReport[] as the engine made it (the sandbox API serves the same shape); `-` writes
// it to stdout, which then carries nothing else.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { ScenarioReport } from "../../scenarios/report.ts";
import { type JunitScenario, junitXml } from "./junit-report.ts";

export function jsonReport(reports: ScenarioReport[]): string {
  return `${JSON.stringify(reports, null, 2)}\n`;
}

async function writeReportFile(path: string, text: string, cwd: string): Promise<void> {
  const absolute = resolve(cwd, path);
  await mkdir(dirname(absolute), { recursive: true });
  await writeFile(absolute, text);
}

/** Writes the reports asked for; the problems writing them, as lines for the user. */
export async function writeReports(
  scenarios: JunitScenario[],
  targets: { json: string | null; junit: string | null },
  io: { stdout: (text: string) => void; cwd: string },
): Promise<string[]> {
  const reports = scenarios.map((scenario) => scenario.report);
  const problems: string[] = [];
  if (targets.json === "-") io.stdout(jsonReport(reports));
  else if (targets.json !== null) {
    await writeReportFile(targets.json, jsonReport(reports), io.cwd).catch((error: Error) =>
      problems.push(`cannot write --json ${targets.json}: ${error.message}`),
    );
  }
  if (targets.junit !== null) {
    await writeReportFile(targets.junit, junitXml(scenarios), io.cwd).catch((error: Error) =>
      problems.push(`cannot write --junit ${targets.junit}: ${error.message}`),
    );
  }
  return problems;
}
