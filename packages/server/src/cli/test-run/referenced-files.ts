// Files a scenario names — its world's fixture, the images and voices its buyers send — by paths
// relative to the scenario file. Each is checked when the file is loaded (a missing one is a
// problem at its line and column, and nothing runs), and read when its step runs.
import { constants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { Scenario, ScenarioProblem, SourcePosition } from "../../scenarios/model.ts";

interface FileReference {
  /** As written in the scenario. */
  path: string;
  /** What it is, for the message: "the fixture", "the image", "the voice". */
  what: string;
  /** Where the value is in the YAML: its JSON path. */
  yamlPath: (string | number)[];
  /** Where to point when the value itself cannot be found in the text. */
  fallback: SourcePosition;
}

function references(scenario: Scenario): FileReference[] {
  const found: FileReference[] = [];
  const fixture = scenario.world.fixture;
  if (fixture !== null && "path" in fixture) {
    found.push({
      path: fixture.path,
      what: "the fixture",
      yamlPath: ["world", "fixture"],
      fallback: scenario.position,
    });
  }
  scenario.buyers.forEach((buyer, b) => {
    buyer.steps.forEach((step, s) => {
      if (step.kind !== "send") return;
      const { content } = step;
      if ((content.type !== "image" && content.type !== "voice") || content.source === "sample") {
        return;
      }
      found.push({
        path: content.source.path,
        what: `the ${content.type}`,
        yamlPath: ["buyers", b, "steps", s, "send", content.type],
        fallback: step.position,
      });
    });
  });
  return found;
}

/** Why a file cannot be read, in words ("no such file"), from the error of reading it. */
export function unreadableReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "a folder, not a file";
  return code ?? (error as Error).message;
}

/** The absolute path of a file a scenario names. */
function located(scenarioFile: string, path: string): string {
  return resolve(dirname(scenarioFile), path);
}

/** Why the file cannot be read, or null when it can. */
async function unreadable(absolute: string): Promise<string | null> {
  try {
    if (!(await stat(absolute)).isFile()) return "not a file";
    await access(absolute, constants.R_OK);
    return null;
  } catch (error) {
    return unreadableReason(error);
  }
}

/**
 * Every file `scenario` (read from `text`, at `absolutePath`, shown as `file`) names that cannot
 * be read, as problems at the value naming it.
 */
export async function referencedFileProblems(
  scenario: Scenario,
  text: string,
  absolutePath: string,
  file: string,
): Promise<ScenarioProblem[]> {
  const wanted = references(scenario);
  if (wanted.length === 0) return [];
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  const problems: ScenarioProblem[] = [];
  for (const reference of wanted) {
    const absolute = located(absolutePath, reference.path);
    const reason = await unreadable(absolute);
    if (reason === null) continue;
    const node = document.getIn(reference.yamlPath, true) as { range?: [number, number, number] };
    const offset = node?.range?.[0];
    const position =
      offset === undefined
        ? reference.fallback
        : { line: lines.linePos(offset).line, column: lines.linePos(offset).col };
    problems.push({
      file,
      line: position.line,
      column: position.column,
      path: reference.yamlPath
        .map((part) => (typeof part === "number" ? `[${part}]` : `.${part}`))
        .join("")
        .replace(/^\./, ""),
      message: `${reference.what} ${reference.path} cannot be read: ${reason} (${absolute})`,
    });
  }
  return problems;
}

/**
 * ScenarioRunOptions.readFile: the bytes of a file the scenario names. Its error says only why
 * (the engine's message names the file): "no such file (/abs/path)".
 */
export async function readReferencedFile(scenarioFile: string, path: string): Promise<Uint8Array> {
  const absolute = located(scenarioFile, path);
  try {
    return await readFile(absolute);
  } catch (error) {
    throw new Error(`${unreadableReason(error)} (${absolute})`);
  }
}
