// The scenario files `beseda test` runs: the files and folders given (./scenarios by default),
// folders searched for *.yaml / *.yml recursively and sorted, every file read and parsed before
// anything runs, so that one malformed file stops the run with every problem of every file.
import { readdir, readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Scenario, ScenarioProblem } from "../../scenarios/model.ts";
import { parseScenario } from "../../scenarios/parse-scenario.ts";

export const DEFAULT_SCENARIO_FOLDER = "scenarios";

export interface LoadedScenario {
  /** The file as the output names it: relative to the working directory. */
  file: string;
  absolutePath: string;
  scenario: Scenario;
}

/** A file or folder given that does not exist, or a folder without a scenario in it. */
export class ScenarioFilesError extends Error {}

const SCENARIO_FILE = /\.ya?ml$/i;

/** Folders a recursive search never enters: dependencies and hidden folders (.git, .cache). */
function skippedFolder(name: string): boolean {
  return name === "node_modules" || name.startsWith(".");
}

async function scenarioFilesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!skippedFolder(entry.name)) found.push(...(await scenarioFilesUnder(path)));
    } else if (entry.isFile() && SCENARIO_FILE.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

/**
 * The absolute paths of the scenario files named by `targets` (files as given, folders searched),
 * each once, in the order given and sorted within a folder.
 */
export async function findScenarioFiles(targets: string[], cwd: string): Promise<string[]> {
  const given = targets.length > 0 ? targets : [DEFAULT_SCENARIO_FOLDER];
  const found: string[] = [];
  for (const target of given) {
    const path = resolve(cwd, target);
    const kind = await stat(path).catch(() => null);
    if (kind === null) throw new ScenarioFilesError(`no such file or folder: ${target}`);
    if (!kind.isDirectory()) {
      found.push(path);
      continue;
    }
    // Code-unit order, the same on every machine (localeCompare depends on the locale).
    const files = (await scenarioFilesUnder(path)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (files.length === 0) {
      throw new ScenarioFilesError(`no *.yaml or *.yml scenario files in ${target}`);
    }
    found.push(...files);
  }
  return [...new Set(found)];
}

/** How a file is named in the output: relative to the working directory when it is under it. */
export function displayPath(absolutePath: string, cwd: string): string {
  const shown = relative(cwd, absolutePath);
  return shown.startsWith("..") || isAbsolute(shown) ? absolutePath : shown;
}

/** Reads and parses every file; the scenarios, or every problem of every file. */
export async function loadScenarios(
  absolutePaths: string[],
  cwd: string,
): Promise<{ scenarios: LoadedScenario[]; problems: ScenarioProblem[] }> {
  const scenarios: LoadedScenario[] = [];
  const problems: ScenarioProblem[] = [];
  for (const absolutePath of absolutePaths) {
    const file = displayPath(absolutePath, cwd);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(await readFile(absolutePath));
    } catch (error) {
      const reason =
        error instanceof TypeError
          ? "the file is not UTF-8 text"
          : `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      problems.push({ file, line: 1, column: 1, path: "", message: reason });
      continue;
    }
    const parsed = parseScenario(text, file);
    if (parsed.ok) scenarios.push({ file, absolutePath, scenario: parsed.scenario });
    else problems.push(...parsed.problems);
  }
  return { scenarios, problems };
}

/** "FILE:LINE:COLUMN: message", as editors and CI annotate. */
export function problemLine(problem: ScenarioProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}
