// Tab in the scenario editor: YAML is indented with spaces, so Tab inserts two of them, or indents
// every selected line; Shift+Tab takes two back. The edit goes through the browser's own
// insertText, so Ctrl+Z undoes it like typing.

const INDENT = "  ";

export interface Edit {
  /** The range replaced, and what replaces it. */
  start: number;
  end: number;
  text: string;
  /** The selection after the edit. */
  selection: [number, number];
}

/** What Tab (or Shift+Tab, `outdent`) does to a text with this selection; null: nothing. */
export function indentEdit(
  value: string,
  start: number,
  end: number,
  outdent: boolean,
): Edit | null {
  const multiline = value.slice(start, end).includes("\n");
  if (!outdent && !multiline) {
    return { start, end, text: INDENT, selection: [start + 2, start + 2] };
  }
  const blockStart = value.lastIndexOf("\n", start - 1) + 1;
  // A selection ending right after a newline does not take the next line along.
  const lastChar = end > start && value[end - 1] === "\n" ? end - 1 : end;
  const newline = value.indexOf("\n", lastChar);
  const blockEnd = newline === -1 ? value.length : newline;
  const lines = value.slice(blockStart, blockEnd).split("\n");
  const changed = lines.map((line) =>
    outdent ? line.replace(/^ {1,2}/, "") : line === "" ? line : INDENT + line,
  );
  const text = changed.join("\n");
  if (text === value.slice(blockStart, blockEnd)) return null;
  const firstShift = (changed[0]?.length ?? 0) - (lines[0]?.length ?? 0);
  const selection: [number, number] = multiline
    ? [blockStart, blockStart + text.length]
    : [Math.max(blockStart, start + firstShift), Math.max(blockStart, end + firstShift)];
  return { start: blockStart, end: blockEnd, text, selection };
}

/** Applies an edit to a textarea as typing would (undoable where the browser can). */
export function applyEdit(editor: HTMLTextAreaElement, edit: Edit): void {
  editor.setSelectionRange(edit.start, edit.end);
  // insertText keeps the undo history and fires `input`; setRangeText is the fallback without it.
  if (!document.execCommand("insertText", false, edit.text)) {
    editor.setRangeText(edit.text, edit.start, edit.end, "end");
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  }
  editor.setSelectionRange(edit.selection[0], edit.selection[1]);
}
