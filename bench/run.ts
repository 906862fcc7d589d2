// `npm run bench`: runs the benchmark scenarios, prints a table, writes every figure as JSON to
// bench-results/ and the table into BENCHMARKS.md (with the machine, date and command).
// `--smoke` runs each scenario small and fast (part of the tests, so the suite cannot rot);
// `--only NAME` runs one scenario. Numbers never fail the run; only errors do.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type ScenarioResult, table } from "./lib/report.ts";
import { httpApi } from "./scenarios/http-api.ts";
import { mediaUpload } from "./scenarios/media-upload.ts";
import { webhookDelivery } from "./scenarios/webhook-delivery.ts";

const SCENARIOS = [httpApi, mediaUpload, webhookDelivery];

const { values } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    large: { type: "boolean", default: false },
    only: { type: "string" },
  },
});
const chosen = SCENARIOS.filter((s) => !values.only || s.name === values.only);
if (chosen.length === 0) {
  console.error(
    `no scenario named ${values.only}; there are: ${SCENARIOS.map((s) => s.name).join(", ")}`,
  );
  process.exit(2);
}

const results: ScenarioResult[] = [];
for (const scenario of chosen) {
  console.log(`▶ ${scenario.name}: ${scenario.description}${values.smoke ? " (smoke)" : ""}`);
  results.push(await scenario.run({ smoke: values.smoke, large: values.large }));
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const date = new Date().toISOString();
const command = `npm run bench --${values.smoke ? " --smoke" : ""}${values.large ? " --large" : ""}${values.only ? ` --only ${values.only}` : ""}`;
const printed = table(results);
console.log(`\n${printed}\n`);

const root = fileURLToPath(new URL("..", import.meta.url));
mkdirSync(`${root}/bench-results`, { recursive: true });
const stamp = date.replaceAll(/[:.]/g, "-");
writeFileSync(
  `${root}/bench-results/${stamp}.json`,
  `${JSON.stringify({ machine, date, command, results }, null, 2)}\n`,
);
if (!values.smoke) {
  const notes = results.flatMap((r) => r.notes.map((n) => `- ${r.scenario}: ${n}`));
  const markdown = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts); do not edit by hand.",
    "",
    `- Machine: ${machine}`,
    `- Date: ${date}`,
    `- Command: \`${command}\``,
    "",
    printed,
    "",
    ...notes,
    "",
  ].join("\n");
  writeFileSync(`${root}/BENCHMARKS.md`, markdown);
}
