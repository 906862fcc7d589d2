// The app's client_secret: hidden until asked for (a screen may be shared), copyable either way.
import { useState } from "preact/hooks";
import { CopyButton } from "./copy-button.tsx";

export function AccountSecret({ secret }: { secret: string }) {
  const [shown, setShown] = useState(false);
  return (
    <span class="value-row">
      <code class="secret" data-shown={shown ? "yes" : "no"}>
        {/* As long as the secret, so revealing it moves nothing around it. */}
        {shown ? secret : "•".repeat(secret.length)}
      </code>
      <button
        type="button"
        class="small"
        aria-pressed={shown}
        aria-label={shown ? "Hide client_secret" : "Reveal client_secret"}
        onClick={() => setShown(!shown)}
      >
        {shown ? "Hide" : "Reveal"}
      </button>
      <CopyButton text={secret} what="client_secret" />
    </span>
  );
}
