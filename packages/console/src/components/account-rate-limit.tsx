// How much of the messenger API's per-minute limit an account has used in the current window of
// the sandbox clock (every token of the account counts; refused 429s too, so it may pass 100%).
import { formatTime } from "../format.ts";
import type { AccountOverview } from "../types.ts";

type RateLimitUse = AccountOverview["rate_limit"];

export function AccountRateLimit({ use }: { use: RateLimitUse }) {
  const share = use.limit > 0 ? use.used / use.limit : 0;
  const tone = share >= 1 ? "danger" : share >= 0.8 ? "warn" : "ok";
  return (
    <div class={`rate-limit ${tone}`}>
      <div class="rate-limit-text tabular">
        <strong>
          {use.used} / {use.limit}
        </strong>{" "}
        requests this minute
        {share >= 1 && <span class="pill danger">limited: 429</span>}
      </div>
      <meter
        min={0}
        max={use.limit}
        low={use.limit * 0.8}
        high={use.limit * 0.99}
        optimum={0}
        value={Math.min(use.used, use.limit)}
        aria-label="Rate limit used this minute"
      />
      <div class="muted small-text tabular">
        The count starts again at {formatTime(use.resets)} (sandbox time)
      </div>
    </div>
  );
}
