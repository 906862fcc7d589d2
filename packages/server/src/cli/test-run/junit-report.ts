// `beseda test --junit FILE`: the reports as JUnit XML, which CI systems show as test results:
// a <testsuite> per scenario file, a <testcase> per buyer run (one for the scenario itself when
// it could not start or was skipped), a <failure> with the failing step's message, expected and
// actual and the conversation. Text is escaped for XML 1.0, control characters included.
import type { BuyerRunReport, ScenarioReport, StepReport } from "../../scenarios/report.ts";

/** Whether XML 1.0 can hold the character at all (even escaped, it cannot hold the others). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    code >= 0x10000
  );
}

/** Control characters, lone surrogates and U+FFFE/U+FFFF replaced by U+FFFD. */
function xmlChars(text: string): string {
  let result = "";
  // for…of walks code points: a pair of surrogates is one, a lone one is itself.
  for (const char of text) result += isXmlChar(char.codePointAt(0) ?? 0) ? char : "\uFFFD";
  return result;
}

/** Text content: the markup characters escaped, impossible characters replaced. */
export function xmlText(text: string): string {
  return xmlChars(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An attribute's value (in double quotes): also quotes, and white space kept as it is. */
export function xmlAttribute(text: string): string {
  return xmlText(text)
    .replace(/"/g, "&quot;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;")
    .replace(/\t/g, "&#9;");
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function failedStep(run: BuyerRunReport): StepReport | undefined {
  return run.steps.find((step) => step.outcome === "failed");
}

function failureBody(file: string, step: StepReport, run: BuyerRunReport): string {
  const failure = step.failure;
  const lines = [`${file}:${step.position.line}:${step.position.column}: ${step.title}`];
  if (failure?.expected != null) lines.push(`expected: ${failure.expected}`);
  if (failure?.actual != null) lines.push(`actual:   ${failure.actual}`);
  lines.push("conversation:");
  for (const message of run.conversation) {
    const time = new Date(message.created * 1000).toISOString().slice(11, 19);
    lines.push(`  ${message.side.padEnd(6)}  ${time}  ${message.text}`);
  }
  return lines.join("\n");
}

function testcase(file: string, report: ScenarioReport, run: BuyerRunReport): string {
  const open = `    <testcase classname="${xmlAttribute(report.name)}" name="${xmlAttribute(`${run.buyer} (run ${run.run})`)}" file="${xmlAttribute(file)}" time="${seconds(run.duration_ms)}"`;
  if (run.outcome === "skipped") return `${open}>\n      <skipped/>\n    </testcase>`;
  const step = failedStep(run);
  if (run.outcome === "passed" || !step) {
    return run.outcome === "passed"
      ? `${open}/>`
      : `${open}>\n      <failure message="${xmlAttribute(`${run.buyer}: failed`)}" type="failed"/>\n    </testcase>`;
  }
  const message = step.failure?.message ?? "failed";
  return [
    `${open}>`,
    `      <failure message="${xmlAttribute(message)}" type="${xmlAttribute(step.kind)}">${xmlText(failureBody(file, step, run))}</failure>`,
    "    </testcase>",
  ].join("\n");
}

/** The scenario as one test case: when it has no buyer run to show (skipped, or no start). */
function scenarioCase(file: string, report: ScenarioReport): string {
  const open = `    <testcase classname="${xmlAttribute(report.name)}" name="${xmlAttribute(report.name)}" file="${xmlAttribute(file)}" time="${seconds(report.duration_ms)}"`;
  if (report.outcome === "skipped") return `${open}>\n      <skipped/>\n    </testcase>`;
  if (report.outcome === "passed") return `${open}/>`;
  const message = report.error ?? "failed";
  return `${open}>\n      <failure message="${xmlAttribute(message)}" type="scenario">${xmlText(message)}</failure>\n    </testcase>`;
}

interface Suite {
  xml: string;
  tests: number;
  failures: number;
  skipped: number;
}

function suite(report: ScenarioReport): Suite {
  // Without buyer runs, or when it failed before them, the scenario is a case of its own.
  const whole = report.buyers.length === 0 || report.error !== null;
  const cases = [
    ...(whole ? [scenarioCase(report.file, report)] : []),
    ...report.buyers.map((run) => testcase(report.file, report, run)),
  ];
  const outcomes = [...(whole ? [report.outcome] : []), ...report.buyers.map((run) => run.outcome)];
  const tests = outcomes.length;
  const failures = outcomes.filter((outcome) => outcome === "failed").length;
  const skipped = outcomes.filter((outcome) => outcome === "skipped").length;
  const timestamp = report.started_at.replace(/(\.\d+)?Z$/, "");
  const xml = [
    `  <testsuite name="${xmlAttribute(report.file)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(report.duration_ms)}" timestamp="${xmlAttribute(timestamp)}">`,
    ...cases,
    "  </testsuite>",
  ].join("\n");
  return { xml, tests, failures, skipped };
}

export function junitXml(reports: ScenarioReport[]): string {
  const suites = reports.map(suite);
  const sum = (key: "tests" | "failures" | "skipped") =>
    suites.reduce((total, one) => total + one[key], 0);
  const time = reports.reduce((total, report) => total + report.duration_ms, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="beseda test" tests="${sum("tests")}" failures="${sum("failures")}" errors="0" skipped="${sum("skipped")}" time="${seconds(time)}">`,
    ...suites.map((one) => one.xml),
    "</testsuites>",
    "",
  ].join("\n");
}
