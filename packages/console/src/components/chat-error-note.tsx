// An API error as the console shows it: the envelope's message and, for a refused input, each
// field at fault with what is wrong with it.
import { ApiError } from "../api.ts";

export function ErrorNote({ error }: { error: Error }) {
  const fields = error instanceof ApiError ? Object.entries(error.fields) : [];
  return (
    <div class="error" role="alert">
      {error.message}
      {fields.length > 0 && (
        <ul class="error-fields">
          {fields.map(([field, problem]) => (
            <li key={field}>
              <code>{field}</code>: {problem}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
