// "New account": in Beseda an account is also its app, so this is how an app is made too. The
// answer's credentials are shown once the account exists (they stay on its card afterwards).
import { useEffect, useRef, useState } from "preact/hooks";
import { call } from "../api.ts";
import { nonEmptyLines } from "../format.ts";
import type { App } from "../types.ts";
import { useAction } from "../use-action.ts";
import { CopyButton } from "./copy-button.tsx";
import { Dialog } from "./dialog.tsx";
import { ErrorNote, Field, fieldProblem } from "./form-field.tsx";

export function AccountCreateDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: () => void;
}) {
  const [name, setName] = useState("");
  const [uris, setUris] = useState("");
  const [created, setCreated] = useState<App | null>(null);
  const done = useRef<HTMLButtonElement>(null);
  // The form's buttons are gone once it is created: focus stays in the dialog, on "Done".
  useEffect(() => {
    if (created) done.current?.focus();
  }, [created]);
  const create = useAction(async () => {
    const redirectUris = nonEmptyLines(uris);
    const app = await call("post", "/sandbox/v1/accounts", {
      body: {
        name: name.trim(),
        ...(redirectUris.length > 0 ? { redirect_uris: redirectUris } : {}),
      },
    });
    setCreated(app);
    onCreated();
  });
  const close = () => {
    setName("");
    setUris("");
    setCreated(null);
    create.clearError();
    onClose();
  };

  if (created) {
    return (
      <Dialog
        open={open}
        title="Account and app created"
        onClose={close}
        footer={
          <button ref={done} type="button" class="primary" onClick={close}>
            Done
          </button>
        }
      >
        <p class="notice" role="status">
          {created.name} (user_id {created.user_id}) is ready.
        </p>
        <dl class="kv">
          <dt>client_id</dt>
          <dd class="value-row">
            <code>{created.client_id}</code>
            <CopyButton text={created.client_id} what="client_id" />
          </dd>
          <dt>client_secret</dt>
          <dd class="value-row">
            <code>{created.client_secret}</code>
            <CopyButton text={created.client_secret} what="client_secret" />
          </dd>
          <dt>Redirect URIs</dt>
          <dd>
            {created.redirect_uris.length === 0 ? (
              <span class="muted">None</span>
            ) : (
              created.redirect_uris.map((uri) => (
                <div key={uri}>
                  <code>{uri}</code>
                </div>
              ))
            )}
          </dd>
        </dl>
        <p class="field-hint no-margin">
          Get a token with <code>POST /token</code>: <code>grant_type=client_credentials</code> and
          these two, or the consent page <code>/oauth</code> for an authorization code.
        </p>
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      title="New account and app"
      onClose={close}
      dismissable={!create.busy}
      footer={
        <>
          <button type="button" onClick={close} disabled={create.busy}>
            Cancel
          </button>
          <button type="submit" form="account-form" class="primary" disabled={create.busy}>
            {create.busy ? "Creating…" : "Create account"}
          </button>
        </>
      }
    >
      <p class="muted no-margin">
        In Beseda every account is also an app: creating an account gives it a{" "}
        <code>client_id</code> and <code>client_secret</code> for <code>POST /token</code>. A
        seller, a buyer, or the integrator's own app: each is an account.
      </p>
      <form
        id="account-form"
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void create.run();
        }}
      >
        <Field label="Name" problem={fieldProblem(create.error, "name")}>
          {(input) => (
            <input
              {...input}
              required
              maxLength={200}
              value={name}
              placeholder="Покупатель"
              onInput={(event) => setName(event.currentTarget.value)}
            />
          )}
        </Field>
        <Field
          label="Redirect URIs (optional)"
          hint="One per line: where the consent page may send the user back with a code."
          problem={fieldProblem(create.error, "redirect_uris")}
        >
          {(input) => (
            <textarea
              {...input}
              rows={2}
              value={uris}
              placeholder="http://127.0.0.1:3000/callback"
              onInput={(event) => setUris(event.currentTarget.value)}
            />
          )}
        </Field>
        <ErrorNote error={create.error} />
      </form>
    </Dialog>
  );
}
