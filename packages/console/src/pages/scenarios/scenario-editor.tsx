// The scenario editor: the YAML in a monospace textarea with line numbers (those a refused
// scenario's problems name, marked), the account whose bot the buyers write to, and Run. Tab
// indents (Escape, then Tab, moves on, so the keyboard is never trapped); Ctrl+Enter runs.
import { useRef } from "preact/hooks";
import { ErrorNote } from "../../components/form-field.tsx";
import type { AccountOverview } from "../../types.ts";
import { applyEdit, indentEdit } from "./indent.ts";
import { revealPosition, type ScenarioProblem } from "./scenario-problems.ts";

export interface ScenarioEditorProps {
  text: string;
  onText: (text: string) => void;
  accounts: AccountOverview[] | null;
  account: number | null;
  onAccount: (account: number | null) => void;
  onRun: () => void;
  busy: boolean;
  /** The problems of the last refused run, by line. */
  problems: ScenarioProblem[];
  /** What went wrong running, when it is not about lines of the file. */
  error: Error | null;
}

/** The accounts a bot can be behind, the subscribed ones (a bot listens) first. */
function sellerChoices(accounts: AccountOverview[]) {
  const people = accounts.filter((a) => a.kind === "user");
  return {
    subscribed: people.filter((a) => a.subscription !== null),
    others: people.filter((a) => a.subscription === null),
  };
}

export function ScenarioEditor(props: ScenarioEditorProps) {
  const { text, problems, accounts, account } = props;
  const editor = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const tabLeaves = useRef(false);
  const lineCount = text.split("\n").length;
  const problemLines = new Set(problems.map((p) => p.line));
  const choices = sellerChoices(accounts ?? []);
  const chosen = accounts?.find((a) => a.user_id === account) ?? null;

  const onKeyDown = (event: KeyboardEvent) => {
    const area = event.currentTarget as HTMLTextAreaElement;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      props.onRun();
      return;
    }
    if (event.key === "Escape") {
      tabLeaves.current = true;
      return;
    }
    const leaving = tabLeaves.current;
    tabLeaves.current = false;
    if (event.key !== "Tab" || leaving || event.ctrlKey || event.altKey || event.metaKey) return;
    event.preventDefault();
    const edit = indentEdit(area.value, area.selectionStart, area.selectionEnd, event.shiftKey);
    if (edit) applyEdit(area, edit);
  };

  const runnable = text.trim() !== "" && !props.busy;
  return (
    <form
      class="card scenario-editor"
      aria-labelledby="scenario-editor-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (runnable) props.onRun();
      }}
    >
      <div class="section-head">
        <h2 id="scenario-editor-title">Scenario</h2>
        <a class="small-text" href="/openapi/scenario.schema.json" target="_blank" rel="noreferrer">
          JSON Schema
        </a>
      </div>
      <label for="scenario-text" class="visually-hidden">
        Scenario (YAML)
      </label>
      <div class="scenario-code">
        <div class="scenario-gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lineCount }, (_, i) => (
            <span key={i} class={problemLines.has(i + 1) ? "problem-line" : undefined}>
              {i + 1}
            </span>
          ))}
        </div>
        <textarea
          id="scenario-text"
          ref={editor}
          value={text}
          wrap="off"
          spellcheck={false}
          autocomplete="off"
          autocapitalize="off"
          aria-describedby="scenario-keys"
          aria-invalid={problems.length > 0 ? "true" : undefined}
          onInput={(event) => props.onText(event.currentTarget.value)}
          onKeyDown={onKeyDown}
          onScroll={(event) => {
            if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
          }}
        />
      </div>
      <p id="scenario-keys" class="muted small-text no-margin">
        Tab indents, Shift+Tab outdents; Esc then Tab leaves the editor. Ctrl+Enter runs.
      </p>

      {problems.length > 0 && (
        <div class="error scenario-problems" role="alert">
          <p class="no-margin">
            {problems.length === 1 ? "One problem" : `${problems.length} problems`}: nothing ran.
          </p>
          <ul aria-label="Problems">
            {problems.map((problem) => (
              <li key={`${problem.line}:${problem.column}:${problem.path}:${problem.message}`}>
                <button
                  type="button"
                  class="problem-place"
                  onClick={() => {
                    if (editor.current)
                      revealPosition(editor.current, problem.line, problem.column);
                  }}
                >
                  line {problem.line}, column {problem.column}
                </button>
                : {problem.path && <code>{problem.path}</code>} {problem.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {problems.length === 0 && <ErrorNote error={props.error} />}

      <div class="scenario-run-bar">
        <div class="field">
          <label for="scenario-account">Bot's account</label>
          <select
            id="scenario-account"
            value={account === null ? "" : String(account)}
            disabled={accounts === null}
            aria-describedby="scenario-account-hint"
            onChange={(event) => {
              const value = event.currentTarget.value;
              props.onAccount(value ? Number(value) : null);
            }}
          >
            {accounts === null && <option value="">Loading…</option>}
            {accounts !== null && account === null && <option value="">Choose an account</option>}
            {choices.subscribed.length > 0 && (
              <optgroup label="With a webhook subscription">
                {choices.subscribed.map((a) => (
                  <option key={a.user_id} value={String(a.user_id)}>
                    {a.name} ({a.user_id}) — subscribed
                  </option>
                ))}
              </optgroup>
            )}
            {choices.others.length > 0 && (
              <optgroup label="Not subscribed">
                {choices.others.map((a) => (
                  <option key={a.user_id} value={String(a.user_id)}>
                    {a.name} ({a.user_id})
                  </option>
                ))}
              </optgroup>
            )}
          </select>
          <span id="scenario-account-hint" class="field-hint">
            {chosen && chosen.subscription === null
              ? "Not subscribed: nothing would reach a bot."
              : "The seller: the buyers write to its bot."}
          </span>
        </div>
        <button type="submit" class="primary" disabled={!runnable}>
          {props.busy ? "Starting…" : "Run"}
        </button>
      </div>
    </form>
  );
}
