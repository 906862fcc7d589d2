// Import: a fixture file into the store, which must be empty unless "replace" is ticked. The
// server checks the document whole before anything changes, and names what it refuses.

import { useState } from "preact/hooks";
import { ApiError, call } from "../api.ts";
import { useAction } from "../use-action.ts";
import { ErrorNote } from "./form-field.tsx";

type Imported = { imported: Record<string, number> };

export function WorldImport() {
  const [file, setFile] = useState<File | null>(null);
  const [replace, setReplace] = useState(false);
  const [result, setResult] = useState<Imported | null>(null);
  const load = useAction(async () => {
    if (!file) return;
    setResult(null);
    // Sent as it is: the server parses it, checks it against the fixture format and names what
    // it refuses (a file that is not JSON included); a large world is never held twice here.
    const answer = await call("post", "/sandbox/v1/import", { query: { replace }, body: file });
    setResult(answer);
  });
  const conflict = load.error instanceof ApiError && load.error.status === 409;

  return (
    <form
      class="world-block"
      aria-labelledby="import-title"
      onSubmit={(event) => {
        event.preventDefault();
        void load.run();
      }}
    >
      <h3 id="import-title" class="section-title">
        Import
      </h3>
      <label for="import-file">Fixture file</label>
      <input
        id="import-file"
        type="file"
        accept=".json,application/json"
        onChange={(event) => {
          setFile(event.currentTarget.files?.[0] ?? null);
          setResult(null);
          load.clearError();
        }}
      />
      <label class="check">
        <input
          type="checkbox"
          checked={replace}
          onChange={(event) => setReplace(event.currentTarget.checked)}
        />
        Replace the current world (deletes it first)
      </label>
      <div class="row">
        <button type="submit" disabled={!file || load.busy}>
          {load.busy ? "Importing…" : "Import"}
        </button>
      </div>
      {result && (
        <p class="notice" role="status">
          Imported{" "}
          {Object.entries(result.imported)
            .map(([what, count]) => `${count} ${what}`)
            .join(", ")}
          .
        </p>
      )}
      <ErrorNote error={load.error} />
      {conflict && !replace && (
        <p class="field-hint no-margin">
          Tick “Replace the current world” to load it over what is here.
        </p>
      )}
    </form>
  );
}
