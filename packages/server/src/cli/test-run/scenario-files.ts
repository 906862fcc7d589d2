// The scenario files `beseda test` runs: the files and folders given (./scenarios by default),
// folders searched for *.yaml / *.yml recursively (following symbolic links, each folder once)
// and sorted, every file read and parsed before anything runs, so that one malformed file — or
// one that names a file that is not there — stops the run with every problem of every file.
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Scenario, ScenarioProblem, SourcePosition } from "../../scenarios/model.ts";
import { parseScenario } from "../../scenarios/parse-scenario.ts";
import { referencedFileProblems } from "./referenced-files.ts";

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

/**
 * The scenario files under `folder`. A symbolic link is followed to what it points at; `seen`
 * holds the real paths of the folders entered, so a link back up the tree is not walked again.
 */
async function scenarioFilesUnder(folder: string, seen: Set<string>): Promise<string[]> {
  const real = await realpath(folder);
  if (seen.has(real)) return [];
  seen.add(real);
  const entries = await readdir(folder, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    // A broken link is no scenario file; a link to a file or folder counts as what it points at.
    const target = entry.isSymbolicLink() ? await stat(path).catch(() => null) : entry;
    if (target === null) continue;
    if (target.isDirectory()) {
      if (!skippedFolder(entry.name)) found.push(...(await scenarioFilesUnder(path, seen)));
    } else if (target.isFile() && SCENARIO_FILE.test(entry.name)) {
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
    const files = (await scenarioFilesUnder(path, new Set())).sort((a, b) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
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

/** The text of UTF-8 bytes, or null when they are not UTF-8 (a U+FFFD written as such is). */
function utf8Text(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Where the first byte that is not UTF-8 is, as a line and column of the text before it: the
 * longest prefix that decodes (an unfinished sequence at its end allowed) ends there.
 */
function firstInvalidByte(bytes: Uint8Array): { offset: number; position: SourcePosition } {
  const decodes = (length: number, unfinishedEnd: boolean) => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, length), {
        stream: unfinishedEnd,
      });
      return true;
    } catch {
      return false;
    }
  };
  // decodes(n, true) holds for every n up to the first invalid byte, and for none after it.
  let valid = 0;
  let invalid = bytes.length;
  while (invalid - valid > 1) {
    const middle = Math.floor((valid + invalid) / 2);
    if (decodes(middle, true)) valid = middle;
    else invalid = middle;
  }
  // The bad sequence starts where the last whole character ends (a lead byte whose
  // continuation never came is the culprit, not the byte after it).
  let start = valid;
  while (start > 0 && valid - start < 4 && !decodes(start, false)) start--;
  valid = start;
  const before = new TextDecoder("utf-8").decode(bytes.subarray(0, valid));
  const lines = before.split(/\r\n|\r|\n/);
  const last = lines.at(-1) ?? "";
  // Columns count characters (code points), as the parser's do.
  return { offset: valid, position: { line: lines.length, column: [...last].length + 1 } };
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
    let bytes: Uint8Array;
    try {
      bytes = await readFile(absolutePath);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      problems.push({
        file,
        line: 1,
        column: 1,
        path: "",
        message: `cannot read the file (${reason})`,
      });
      continue;
    }
    // Checked on the bytes: the parser sees text, where U+FFFD may be written on purpose.
    const text = utf8Text(bytes);
    if (text === null) {
      const { offset, position } = firstInvalidByte(bytes);
      const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, "0");
      problems.push({
        file,
        ...position,
        path: "",
        message: `the file is not UTF-8 text: byte 0x${byte} here is not UTF-8 (save it as UTF-8)`,
      });
      continue;
    }
    const parsed = parseScenario(text, file);
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const missing = await referencedFileProblems(parsed.scenario, text, absolutePath, file);
    if (missing.length > 0) problems.push(...missing);
    else scenarios.push({ file, absolutePath, scenario: parsed.scenario });
  }
  return { scenarios, problems };
}

/** "FILE:LINE:COLUMN: message", as editors and CI annotate. */
export function problemLine(problem: ScenarioProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}
