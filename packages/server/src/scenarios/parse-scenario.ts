// A scenario file's text in, the Scenario the engine runs out, or every problem found in it, each
// at its line and column: YAML syntax first (nothing else can be trusted past a syntax error),
// then the JSON Schema (scenario-schema.ts) and the rules it does not say in words
// (scenario-rules.ts). The text is already decoded: whether the bytes were UTF-8 is the reader's
// question (a U+FFFD here may be the file's own character).
import { type Document, isAlias, isScalar, LineCounter, parseAllDocuments, visit } from "yaml";
import type { Scenario, ScenarioProblem, SourcePosition } from "./model.ts";
import { normaliseScenario } from "./normalise-scenario.ts";
import type { ScenarioFile } from "./scenario-file.ts";
import { scenarioRuleProblems } from "./scenario-rules.ts";
import { checkSchema, fallbackProblems } from "./scenario-schema.ts";
import { formatPath, type LocatedProblem, YamlPositions } from "./yaml-positions.ts";

export type ParseScenarioResult =
  | { ok: true; scenario: Scenario }
  | { ok: false; problems: ScenarioProblem[] };

/** More expansions of `*alias` than this is a file built to blow up, not a scenario. */
const MAX_ALIAS_COUNT = 1_000;

/**
 * Parses and checks a scenario file. `file` is what problems and the Scenario name it by (the
 * path as the runner was given it, or "<request>"); nothing is read from it.
 */
export function parseScenario(text: string, file: string): ParseScenarioResult {
  const problem = (position: SourcePosition, path: string, message: string): ScenarioProblem => ({
    file,
    line: position.line,
    column: position.column,
    path,
    message,
  });
  const start = { line: 1, column: 1 };

  const garbage = garbageAt(text);
  if (garbage) return failed([problem(garbage.position, "", garbage.message)]);

  const lineCounter = new LineCounter();
  const [document, ...others] = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
  });
  if (!document) {
    return failed([
      problem(start, "", "the file is empty: a scenario needs at least a name and buyers"),
    ]);
  }
  const positions = new YamlPositions(document, lineCounter);
  const problems: ScenarioProblem[] = [];
  let broken = false;
  // A "---" at the end (an empty document after it) is harmless; a second scenario is not.
  const another = others.find((other) => !isEmpty(other));
  if (another) {
    broken = true;
    problems.push(
      problem(
        positions.at(another.range[0]),
        "",
        'one scenario per file: this file has another document after a "---" line',
      ),
    );
  }
  for (const error of document.errors) {
    const offset = error.pos[0];
    if (error.code === "DUPLICATE_KEY") {
      const path = positions.keyPathAt(offset) ?? [];
      const key = path.at(-1);
      problems.push(
        problem(
          positions.at(offset),
          formatPath(path),
          `duplicate key${key === undefined ? "" : ` "${key}"`}: a key appears once in a map`,
        ),
      );
    } else {
      broken = true;
      problems.push(problem(positions.at(offset), "", yamlErrorMessage(error.code, error.message)));
    }
  }
  visit(document, {
    Alias: (_, alias) => {
      if (alias.resolve(document) !== undefined) return;
      broken = true;
      problems.push(
        problem(
          positions.at(alias.range?.[0] ?? 0),
          "",
          `the alias *${alias.source} names no anchor: write &${alias.source} on a value above it first`,
        ),
      );
    },
  });
  if (broken) return failed(problems);

  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failed([...problems, problem(start, "", `the YAML cannot be read: ${reason}`)]);
  }
  if (data === null || data === undefined) {
    const message = "the file is empty: a scenario needs at least a name and buyers";
    return failed([...problems, problem(start, "", message)]);
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    const what = Array.isArray(data) ? "a list" : `${JSON.stringify(data)}`;
    const message = `a scenario is a map (name: …, buyers: …), not ${what}`;
    const at = isAlias(document.contents) ? start : positions.valueAt([]);
    return failed([...problems, problem(at, "", message)]);
  }

  const schema = checkSchema(data);
  let found: LocatedProblem[] = [
    ...schema.problems,
    ...scenarioRuleProblems(data as Record<string, unknown>, schema.problems),
  ];
  if (!schema.valid && found.length === 0) found = fallbackProblems(schema.errors);
  for (const { path, message, at } of found) {
    const position =
      at && "key" in at ? positions.keyAt(path) : positions.valueAt(at ? at.path : path);
    problems.push(problem(position, formatPath(path), message));
  }
  if (problems.length > 0) return failed(problems);
  return { ok: true, scenario: normaliseScenario(data as ScenarioFile, file, positions) };
}

/** The problems in the order of the file, each once. */
function failed(problems: ScenarioProblem[]): ParseScenarioResult {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.path}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems: unique };
}

/** Where the text shows it is no text file: a NUL (a binary file). */
function garbageAt(text: string): { position: SourcePosition; message: string } | null {
  const index = text.indexOf("\0");
  if (index < 0) return null;
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  const column = index - before.lastIndexOf("\n");
  const message = "the file has a NUL character: it is binary, not a YAML text";
  return { position: { line, column }, message };
}

/** A document with nothing in it but comments (what a trailing "---" starts). */
function isEmpty(document: Document.Parsed): boolean {
  const contents = document.contents;
  return (
    document.errors.length === 0 &&
    (contents === null || (isScalar(contents) && contents.value === null))
  );
}

/** The YAML parser's complaint, for a person. */
function yamlErrorMessage(code: string, message: string): string {
  if (code === "TAB_AS_INDENT") return "not valid YAML: indent with spaces, not tabs";
  const sentence = message.replace(/\.$/, "");
  return `not valid YAML: ${sentence.charAt(0).toLowerCase()}${sentence.slice(1)}`;
}
