// How the operations pages' forms show a field and what the API said when it refused: the
// envelope's message, and each field at fault as the server named it (`redirect_uris[0]`,
// `status`), next to its input and in the summary, so the user knows what to change.
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";
import { ApiError } from "../api.ts";

/** What a field's input needs to be tied to its label, hint and problem. */
export interface FieldInputProps {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: "true";
}

export function Field({
  label,
  hint,
  problem,
  children,
  class: className,
}: {
  label: ComponentChildren;
  hint?: ComponentChildren;
  problem?: string | undefined;
  children: (input: FieldInputProps) => ComponentChildren;
  class?: string;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", problem ? `${id}-problem` : ""]
    .filter(Boolean)
    .join(" ");
  const input: FieldInputProps = { id };
  if (described) input["aria-describedby"] = described;
  if (problem) input["aria-invalid"] = "true";
  return (
    <div class={className ? `field ${className}` : "field"}>
      <label for={id}>{label}</label>
      {children(input)}
      {hint && (
        <span class="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {problem && (
        <span class="field-problem" id={`${id}-problem`}>
          {problem}
        </span>
      )}
    </div>
  );
}

export function ErrorNote({ error, id }: { error: Error | null; id?: string }) {
  if (!error) return null;
  const fields = error instanceof ApiError ? Object.entries(error.fields) : [];
  return (
    <div class="error error-note" role="alert" id={id}>
      <p>{error.message}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map(([field, problem]) => (
            <li key={field}>
              <code>{field}</code> {problem}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The server's complaint about one field (or any field under it, like `category.id`). */
export function fieldProblem(error: Error | null, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const found = Object.entries(error.fields).find(
    ([name]) => name === field || name.startsWith(`${field}.`) || name.startsWith(`${field}[`),
  );
  return found?.[1];
}
