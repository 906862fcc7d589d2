// `npm run reliability`: runs the reliability scenarios (fuzz, crash, soak, media bombs), prints a
// table, writes every figure as JSON to reliability-results/ and the table into RELIABILITY.md
// (with the machine, date and command). `--smoke` runs each small (part of `npm test`);
// `--only NAME` runs one; `--requests N` sizes the fuzzer (`npm run fuzz` is 100,000); `--seed S`
// replays a run; `--soak-seconds N` runs the soak longer, to tell a leak from the sawtooth of
// workers starting and ending. Exits 1 when an invariant is broken, so a finding cannot go unnoticed.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { machineDescription, markdownReport, table, writeRunJson } from "../bench/lib/report.ts";
import type { ReliabilityResult } from "./lib/scenario.ts";
import { crash } from "./scenarios/crash.ts";
import { fuzz } from "./scenarios/fuzz.ts";
import { mediaBombs } from "./scenarios/media-bombs.ts";
import { soak } from "./scenarios/soak.ts";

const SCENARIOS = [fuzz, crash, soak, mediaBombs];

const { values } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    only: { type: "string" },
    requests: { type: "string" },
    seed: { type: "string" },
    "soak-seconds": { type: "string" },
  },
});
const chosen = SCENARIOS.filter((s) => !values.only || s.name === values.only);
if (chosen.length === 0) {
  console.error(
    `no scenario named ${values.only}; there are: ${SCENARIOS.map((s) => s.name).join(", ")}`,
  );
  process.exit(2);
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const requests = values.requests === undefined ? undefined : Number(values.requests);
const soakSeconds =
  values["soak-seconds"] === undefined ? undefined : Number(values["soak-seconds"]);
const positive = (n: number | undefined) => n === undefined || (Number.isSafeInteger(n) && n > 0);
if (!Number.isSafeInteger(seed) || !positive(requests) || !positive(soakSeconds)) {
  console.error("--seed, --requests and --soak-seconds take positive integers");
  process.exit(2);
}

const results: ReliabilityResult[] = [];
for (const scenario of chosen) {
  console.log(`▶ ${scenario.name}: ${scenario.description}${values.smoke ? " (smoke)" : ""}`);
  results.push(
    await scenario.run({
      smoke: values.smoke,
      seed,
      ...(requests === undefined ? {} : { requests }),
      ...(soakSeconds === undefined ? {} : { soakSeconds }),
    }),
  );
}

const machine = machineDescription();
const date = new Date().toISOString();
const command = [
  "npm run reliability --",
  values.smoke ? "--smoke" : "",
  values.only ? `--only ${values.only}` : "",
  requests === undefined ? "" : `--requests ${requests}`,
  soakSeconds === undefined ? "" : `--soak-seconds ${soakSeconds}`,
  `--seed ${seed}`,
]
  .filter(Boolean)
  .join(" ");
const run = { machine, date, command, results };
const broken = results.flatMap((r) =>
  r.figures.filter((f) => f.invariant && !f.goal?.met).map((f) => `${r.scenario}: ${f.name}`),
);
console.log(`\n${table(results)}\n`);
for (const result of results)
  for (const note of result.notes) console.log(`- ${result.scenario}: ${note}`);

const root = fileURLToPath(new URL("..", import.meta.url));
writeRunJson(`${root}/reliability-results`, { ...run, seed });
if (!values.smoke && !values.only) {
  const writtenBy = [
    "Written by `npm run reliability` (reliability/run.ts); do not edit by hand. Invariants (✅/❌",
    "on counts that must be 0) fail the run; the other figures are measurements.",
  ].join("\n");
  writeFileSync(`${root}/RELIABILITY.md`, markdownReport("Reliability", writtenBy, run));
}
if (broken.length > 0) {
  console.error(`broken invariants (replay with --seed ${seed}):\n  ${broken.join("\n  ")}`);
  process.exit(1);
}
