// `beseda test --junit FILE`: the reports as JUnit XML, which CI systems show as test results:
// a <testsuite> per scenario file, a <testcase> per buyer run (one for the scenario itself when
// it could not start or was skipped), a <failure> with the failing step's message, expected and
// actual and the conversation; an <error> for a scenario that could not run (its world, the bot,
// the runner); a <skipped message="interrupted (SIGINT)"> for what an interruption of the runner
// cut short — skipped, not an <error>: nothing of the bot's or the runner's failed, the run was
// stopped (its exit code, 130, says so), and CI shows an error as a fault to look into; and the
// bot's output while it ran as the suite's <system-out>. A test case is named by its file
// (classname, the path without its extension: CI tools split classnames at dots, so dots become
// underscores) and "scenario › buyers[i] name" as the text report names the buyer ("Анна #3"
// when the scripts repeat), unique and the same from one run to the next. Text is escaped for
// XML 1.0, control characters included.
import type { BuyerRunReport, ScenarioReport, StepReport } from "../../scenarios/report.ts";

/** A scenario as the JUnit report needs it. */
export interface JunitScenario {
  report: ScenarioReport;
  /** The scenario's buyers (their scripts' names), in the file's order. */
  scripts: readonly { name: string }[];
  /** What the managed bot printed while it ran; null without one. */
  botOutput: string[] | null;
}

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

/** The classname of a scenario file's cases: its path without the extension, dots made "_". */
export function junitClassname(file: string): string {
  return file.replace(/\.ya?ml$/i, "").replace(/\./g, "_");
}

/**
 * The name of the `index`th buyer run of a report: the buyer's name as the text report and the
 * engine say it ("Анна", "Анна #3" when the scripts repeat), after its script's index in the
 * file, which two scripts of one name differ by. The runs are in the plan's order (each
 * repetition runs every script, in the file's order), so the `index`th is script index % count.
 */
function runName(scenario: JunitScenario, run: BuyerRunReport, index: number): string {
  const script = index % Math.max(1, scenario.scripts.length);
  return `${scenario.report.name} › buyers[${script}] ${run.buyer}`;
}

/** A <skipped/>, with why when it is known (the runner was interrupted: "interrupted (SIGINT)"). */
function skipped(message: string | null | undefined): string {
  return message == null ? "<skipped/>" : `<skipped message="${xmlAttribute(message)}"/>`;
}

/** A test case's XML, and what it counts as in the totals. */
interface Case {
  xml: string;
  kind: "passed" | "failure" | "error" | "skipped";
}

function testcase(scenario: JunitScenario, run: BuyerRunReport, index: number): Case {
  const file = scenario.report.file;
  const open = `    <testcase classname="${xmlAttribute(junitClassname(file))}" name="${xmlAttribute(runName(scenario, run, index))}" file="${xmlAttribute(file)}" time="${seconds(run.duration_ms)}"`;
  if (run.outcome === "skipped") {
    // Why: the step the interruption cut short says it; a run that never began, its scenario.
    const why =
      run.steps.find((step) => step.failure !== null)?.failure?.message ?? scenario.report.error;
    return { xml: `${open}>\n      ${skipped(why)}\n    </testcase>`, kind: "skipped" };
  }
  if (run.outcome === "passed") return { xml: `${open}/>`, kind: "passed" };
  const step = failedStep(run);
  if (!step) {
    const message = xmlAttribute(`${run.buyer}: failed`);
    return {
      xml: `${open}>\n      <failure message="${message}" type="failed"/>\n    </testcase>`,
      kind: "failure",
    };
  }
  const message = step.failure?.message ?? "failed";
  const xml = [
    `${open}>`,
    `      <failure message="${xmlAttribute(message)}" type="${xmlAttribute(step.kind)}">${xmlText(failureBody(file, step, run))}</failure>`,
    "    </testcase>",
  ].join("\n");
  return { xml, kind: "failure" };
}

/**
 * The scenario as one test case: when it has no buyer run to show (skipped, or no start), or an
 * error of its own (it could not run, or not all of it: an <error>, not a <failure> of the bot's).
 */
function scenarioCase(report: ScenarioReport): Case {
  const open = `    <testcase classname="${xmlAttribute(junitClassname(report.file))}" name="${xmlAttribute(report.name)}" file="${xmlAttribute(report.file)}" time="${seconds(report.duration_ms)}"`;
  if (report.outcome === "skipped") {
    return { xml: `${open}>\n      ${skipped(report.error)}\n    </testcase>`, kind: "skipped" };
  }
  if (report.outcome === "passed") return { xml: `${open}/>`, kind: "passed" };
  if (report.error !== null) {
    const error = `<error message="${xmlAttribute(report.error)}" type="scenario">${xmlText(report.error)}</error>`;
    return { xml: `${open}>\n      ${error}\n    </testcase>`, kind: "error" };
  }
  return {
    xml: `${open}>\n      <failure message="failed" type="scenario"/>\n    </testcase>`,
    kind: "failure",
  };
}

interface Suite {
  xml: string;
  cases: Case[];
}

function suite(scenario: JunitScenario): Suite {
  const { report } = scenario;
  // Without buyer runs, or with an error of its own, the scenario is a case of its own too; not
  // when it was skipped by an interruption: its buyer runs' cases say that.
  const whole =
    report.buyers.length === 0 || (report.error !== null && report.outcome !== "skipped");
  const cases = [
    ...(whole ? [scenarioCase(report)] : []),
    ...report.buyers.map((run, index) => testcase(scenario, run, index)),
  ];
  const output = scenario.botOutput;
  const xml = [
    `  <testsuite name="${xmlAttribute(report.file)}" ${totals(cases)} time="${seconds(report.duration_ms)}" timestamp="${xmlAttribute(report.started_at.replace(/(\.\d+)?Z$/, ""))}">`,
    ...cases.map((one) => one.xml),
    ...(output !== null && output.length > 0
      ? [`    <system-out>${xmlText(`${output.join("\n")}\n`)}</system-out>`]
      : []),
    "  </testsuite>",
  ].join("\n");
  return { xml, cases };
}

/** The tests, failures, errors and skipped attributes of these cases. */
function totals(cases: Case[]): string {
  const count = (kind: Case["kind"]) => cases.filter((one) => one.kind === kind).length;
  return `tests="${cases.length}" failures="${count("failure")}" errors="${count("error")}" skipped="${count("skipped")}"`;
}

export function junitXml(scenarios: JunitScenario[]): string {
  const suites = scenarios.map(suite);
  const time = scenarios.reduce((total, scenario) => total + scenario.report.duration_ms, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="beseda test" ${totals(suites.flatMap((one) => one.cases))} time="${seconds(time)}">`,
    ...suites.map((one) => one.xml),
    "</testsuites>",
    "",
  ].join("\n");
}
