// The benchmark suite in its smoke mode: every scenario runs small, so the suite cannot rot. It
// asserts that the suite runs and reports, never a number.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

test("npm run bench -- --smoke runs every scenario and writes its figures", {
  timeout: 240_000,
}, () => {
  const before = new Set(safeList(`${ROOT}/bench-results`));
  const run = spawnSync(process.execPath, ["bench/run.ts", "--smoke"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toContain("| Scenario | Figure | Value | Goal |");
  const written = safeList(`${ROOT}/bench-results`).filter((f) => !before.has(f));
  expect(written).toHaveLength(1);
  const report = JSON.parse(readFileSync(`${ROOT}/bench-results/${written[0]}`, "utf8")) as {
    results: { scenario: string; figures: { value: number }[] }[];
  };
  expect(report.results.map((r) => r.scenario)).toEqual([
    "http-api",
    "read-profile",
    "crm-mixed",
    "media-upload",
    "webhook-delivery",
    "postgres",
  ]);
  for (const result of report.results) {
    for (const figure of result.figures) expect(Number.isFinite(figure.value)).toBe(true);
  }
});

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
