// The header's dot: whether live events are flowing, and (on hover) how many came this visit.
import { useState } from "preact/hooks";
import { useLiveEvents, useLiveStatus } from "../live.ts";

const LABELS = { live: "Live", connecting: "Connecting…", reconnecting: "Reconnecting…" } as const;

export function LiveIndicator() {
  const status = useLiveStatus();
  const [seen, setSeen] = useState(0);
  useLiveEvents(() => setSeen((count) => count + 1));
  return (
    <span
      class={`live-indicator ${status}`}
      role="status"
      title={`Live updates from Beseda: ${seen} events this visit`}
      data-events={seen}
    >
      <span class="dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
