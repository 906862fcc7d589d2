// A refused scenario's problems: the API's 400 names each as a field "LINE:COLUMN path" → message;
// here they become a list sorted by place, and a place becomes a selection in the editor.
import { ApiError } from "../../api.ts";

export interface ScenarioProblem {
  line: number;
  column: number;
  /** The value's path in the file ("buyers[0].steps[2].expect"), "" for the file as a whole. */
  path: string;
  message: string;
}

const FIELD = /^(\d+):(\d+)(?:\s+(.*))?$/;

/** The problems an error names by line and column; empty when it names none. */
export function problemsOf(error: Error | null): ScenarioProblem[] {
  if (!(error instanceof ApiError)) return [];
  const problems: ScenarioProblem[] = [];
  for (const [field, message] of Object.entries(error.fields)) {
    const found = FIELD.exec(field.trim());
    if (!found) continue;
    problems.push({
      line: Number(found[1]),
      column: Number(found[2]),
      path: found[3]?.trim() ?? "",
      message,
    });
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** [start, end) offsets of a 1-based line of the text (clamped to the text's lines). */
export function lineRange(text: string, line: number): [number, number] {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf("\n", start);
    if (next === -1) break;
    start = next + 1;
  }
  const end = text.indexOf("\n", start);
  return [start, end === -1 ? text.length : end];
}

/**
 * Puts the caret of the editor at a line and column, selecting from there to the line's end (what
 * the problem is about), and scrolls that line into the middle of the view.
 */
export function revealPosition(editor: HTMLTextAreaElement, line: number, column: number): void {
  const [start, end] = lineRange(editor.value, line);
  const from = Math.min(start + Math.max(column - 1, 0), end);
  editor.focus({ preventScroll: true });
  editor.setSelectionRange(from, end === from ? from : end);
  const lineHeight = Number.parseFloat(getComputedStyle(editor).lineHeight) || 20;
  const firstLine = editor.value.slice(0, start).split("\n").length - 1;
  editor.scrollTop = Math.max(0, firstLine * lineHeight - editor.clientHeight / 3);
  editor.scrollIntoView({ block: "nearest" });
}
