// The sign-in form: the admin token (printed by `npm start`) becomes the console's session cookie.
import { useState } from "preact/hooks";
import { signIn } from "../session.ts";

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token.trim());
      onSignedIn();
    } catch (reason) {
      const status = (reason as { status?: number }).status;
      setError(
        status === 401
          ? "That is not this server's admin token."
          : String((reason as Error).message),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form class="card sign-in-card" onSubmit={submit}>
        <h1>
          <span class="brand-mark" aria-hidden="true">
            Б
          </span>{" "}
          Beseda console
        </h1>
        <p class="muted">
          Sign in with the sandbox admin token. <code>npm start</code> prints it, and it is kept in
          the data dir's <code>admin-token</code> file.
        </p>
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || token.trim() === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
