// The reliability suite in its smoke mode, inside `npm test`: every scenario runs small. Its
// invariants (no 5xx, every error in the envelope, every 200 valid, nothing acknowledged lost) are
// correctness and must hold; its measurements (stalls, RSS) are only reported, never asserted.
// The seed is fixed, so that a red `npm test` can be replayed and does not come and go; the full
// runs (`npm run reliability`, `npm run fuzz`) draw a new one each time to explore further.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import type { ReliabilityResult } from "./lib/scenario.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

test("npm run reliability -- --smoke runs every scenario and keeps every invariant", {
  timeout: 300_000,
}, () => {
  const before = new Set(safeList(`${ROOT}/reliability-results`));
  const run = spawnSync(process.execPath, ["reliability/run.ts", "--smoke", "--seed", "20261201"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const written = safeList(`${ROOT}/reliability-results`).filter((f) => !before.has(f));
  expect(written, run.stderr).toHaveLength(1);
  const report = JSON.parse(readFileSync(`${ROOT}/reliability-results/${written[0]}`, "utf8")) as {
    results: ReliabilityResult[];
  };
  expect(report.results.map((r) => r.scenario)).toEqual(["fuzz", "crash", "soak", "media-bombs"]);
  const broken = report.results.flatMap((r) =>
    r.figures
      .filter((f) => f.invariant && !f.goal?.met)
      .map((f) => `${r.scenario}: ${f.name} = ${f.value} (${r.notes.join("; ")})`),
  );
  expect(broken).toEqual([]);
  for (const result of report.results) {
    for (const figure of result.figures) expect(Number.isFinite(figure.value)).toBe(true);
  }
  expect(run.status, run.stderr).toBe(0);
});

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
