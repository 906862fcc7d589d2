// The app's registered redirect URIs (where the consent page may send the user back with a code),
// and an editor that replaces them all at once, as PUT …/redirect-uris does.
import { useState } from "preact/hooks";
import { ApiError, call } from "../api.ts";
import { nonEmptyLines } from "../format.ts";
import { useAction } from "../use-action.ts";
import { ErrorNote } from "./form-field.tsx";

/** The server names a refused URI by its index; the editor shows the URI itself. */
function problemsByUri(error: Error | null, uris: string[]): string[] {
  if (!(error instanceof ApiError)) return [];
  return Object.entries(error.fields).map(([field, problem]) => {
    const index = /^redirect_uris\[(\d+)\]/.exec(field)?.[1];
    const uri = index === undefined ? undefined : uris[Number(index)];
    return uri === undefined ? `${field}: ${problem}` : `${uri}: ${problem}`;
  });
}

export function AccountRedirectUris({
  userId,
  uris,
  onSaved,
}: {
  userId: number;
  uris: string[];
  onSaved: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  const lines = nonEmptyLines(text);
  const save = useAction(async () => {
    await call("put", "/sandbox/v1/accounts/{user_id}/redirect-uris", {
      path: { user_id: userId },
      body: { redirect_uris: lines },
    });
    onSaved();
    setEditing(false);
  });

  if (!editing) {
    return (
      <div class="redirect-uris">
        {uris.length === 0 ? (
          <span class="muted">None registered</span>
        ) : (
          <ul class="plain-list">
            {uris.map((uri) => (
              <li key={uri}>
                <code>{uri}</code>
              </li>
            ))}
          </ul>
        )}
        <button
          type="button"
          class="small"
          onClick={() => {
            setText(uris.join("\n"));
            save.clearError();
            setEditing(true);
          }}
        >
          Edit redirect URIs
        </button>
      </div>
    );
  }

  const problems = problemsByUri(save.error, lines);
  const editorId = `redirect-uris-${userId}`;
  return (
    <form
      class="redirect-uris stack"
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <label for={editorId}>Redirect URIs, one per line</label>
      <textarea
        id={editorId}
        rows={3}
        value={text}
        placeholder="http://127.0.0.1:3000/callback"
        aria-invalid={save.error ? "true" : undefined}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") setEditing(false);
        }}
      />
      <span class="field-hint">
        Absolute http(s) URLs without a fragment; none removes them all.
      </span>
      {save.error &&
        (problems.length > 0 ? (
          <div class="error error-note" role="alert">
            <p>{save.error.message}</p>
            <ul>
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </div>
        ) : (
          <ErrorNote error={save.error} />
        ))}
      <div class="row">
        <button type="submit" class="primary small" disabled={save.busy}>
          {save.busy ? "Saving…" : "Save"}
        </button>
        <button type="button" class="small" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
