// Reset: empties the sandbox, after a confirmation that says what goes, and seeds the demo world
// again unless told not to. The admin token stays, so the console stays signed in.
import { useState } from "preact/hooks";
import { call } from "../api.ts";
import { useAction } from "../use-action.ts";
import { Dialog } from "./dialog.tsx";
import { ErrorNote } from "./form-field.tsx";

export function WorldReset() {
  const [confirming, setConfirming] = useState(false);
  const [demo, setDemo] = useState(true);
  const [done, setDone] = useState<string | null>(null);
  const reset = useAction(async () => {
    const answer = await call("post", "/sandbox/v1/reset", { body: { demo } });
    setDone(
      answer.demo
        ? `The sandbox was reset, with the demo world: ${answer.demo.seller.name} and ${answer.demo.buyers.length} buyers.`
        : "The sandbox was reset: it is empty.",
    );
    setConfirming(false);
  });
  return (
    <div class="world-block">
      <h3 class="section-title">Reset</h3>
      <p class="no-margin muted small-text">Start over from an empty store or the demo world.</p>
      <div class="row">
        <button
          type="button"
          class="danger"
          onClick={() => {
            setDone(null);
            reset.clearError();
            setConfirming(true);
          }}
        >
          Reset the sandbox…
        </button>
      </div>
      {done && (
        <p class="notice" role="status">
          {done}
        </p>
      )}
      <Dialog
        open={confirming}
        title="Reset the sandbox?"
        onClose={() => setConfirming(false)}
        dismissable={!reset.busy}
        footer={
          <>
            <button type="button" onClick={() => setConfirming(false)} disabled={reset.busy}>
              Cancel
            </button>
            <button
              type="button"
              class="primary danger-fill"
              disabled={reset.busy}
              onClick={() => void reset.run()}
            >
              {reset.busy ? "Resetting…" : "Delete everything and reset"}
            </button>
          </>
        }
      >
        <p class="no-margin">This deletes, for good:</p>
        <ul class="reset-list">
          <li>every account and its app (client_id, secret, redirect URIs), and every item;</li>
          <li>every chat and message, and the blacklists;</li>
          <li>images and voices (their records), webhook subscriptions and the delivery log;</li>
          <li>every access and refresh token and authorization code: apps must sign in again;</li>
          <li>every fault rule.</li>
        </ul>
        <p class="no-margin">
          The sandbox clock goes back to real time. The admin token stays, so this console stays
          signed in. Export the world first to keep a copy.
        </p>
        <label class="check">
          <input
            type="checkbox"
            checked={demo}
            onChange={(event) => setDemo(event.currentTarget.checked)}
          />
          Seed the demo world again (a seller, buyers and their chats)
        </label>
        <ErrorNote error={reset.error} />
      </Dialog>
    </div>
  );
}
