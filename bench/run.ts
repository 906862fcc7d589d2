// `npm run bench`: runs the benchmark scenarios, prints a table, writes every figure as JSON to
// bench-results/ and the table into BENCHMARKS.md (with the machine, date and command).
// `--smoke` runs each scenario small and fast (part of the tests, so the suite cannot rot);
// `--only NAME` runs one scenario. Numbers never fail the run; only errors do.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { warmCompileCache } from "./lib/compile-cache.ts";
import {
  machineDescription,
  markdownReport,
  type ScenarioResult,
  table,
  writeRunJson,
} from "./lib/report.ts";
import { crmMixed } from "./scenarios/crm-mixed.ts";
import { httpApi } from "./scenarios/http-api.ts";
import { mediaUpload } from "./scenarios/media-upload.ts";
import { postgresCluster } from "./scenarios/postgres-cluster.ts";
import { readProfile } from "./scenarios/read-profile.ts";
import { webhookDelivery } from "./scenarios/webhook-delivery.ts";

const SCENARIOS = [httpApi, readProfile, crmMixed, mediaUpload, webhookDelivery, postgresCluster];

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

// The server's modules in Node's compile cache, as on every start of a deployment but its first.
console.log("▶ warming Node's compile cache (one server start, a webhook, an upload)");
await warmCompileCache();

const results: ScenarioResult[] = [];
for (const scenario of chosen) {
  console.log(`▶ ${scenario.name}: ${scenario.description}${values.smoke ? " (smoke)" : ""}`);
  results.push(await scenario.run({ smoke: values.smoke, large: values.large }));
}

const machine = machineDescription();
const date = new Date().toISOString();
const command = `npm run bench --${values.smoke ? " --smoke" : ""}${values.large ? " --large" : ""}${values.only ? ` --only ${values.only}` : ""}`;
const run = { machine, date, command, results };
console.log(`\n${table(results)}\n`);

const root = fileURLToPath(new URL("..", import.meta.url));
writeRunJson(`${root}/bench-results`, run);
if (!values.smoke) {
  writeFileSync(
    `${root}/BENCHMARKS.md`,
    markdownReport(
      "Benchmarks",
      "Written by `npm run bench` (bench/run.ts); do not edit by hand.",
      run,
    ),
  );
}
