// "Expire tokens": every access token of the account answers 403 "access token expired" from now
// on, while its refresh tokens still work: how an integrator tests their client's refresh.
import { useState } from "preact/hooks";
import { call } from "../api.ts";
import { useAction } from "../use-action.ts";
import { ErrorNote } from "./form-field.tsx";

export function AccountExpireTokens({ userId, name }: { userId: number; name: string }) {
  const [expired, setExpired] = useState<number | null>(null);
  const expire = useAction(async () => {
    const answer = await call("post", "/sandbox/v1/accounts/{user_id}/tokens/expire", {
      path: { user_id: userId },
    });
    setExpired(answer.expired);
  });
  return (
    <div class="expire-tokens">
      <button
        type="button"
        class="small"
        disabled={expire.busy}
        aria-label={`Expire the access tokens of ${name}`}
        title="Its access tokens answer 403 from now on; refresh tokens keep working"
        onClick={() => void expire.run()}
      >
        Expire tokens
      </button>
      <span role="status" class="muted small-text">
        {expired === null
          ? ""
          : expired === 1
            ? "1 access token expired"
            : `${expired} access tokens expired`}
      </span>
      <ErrorNote error={expire.error} />
    </div>
  );
}
