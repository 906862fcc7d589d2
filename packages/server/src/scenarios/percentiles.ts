// Reply-time statistics of a scenario run: percentiles by the nearest-rank method (the value at
// rank ⌈p·n⌉ of the sorted samples), so that each is a time some reply actually took.
import type { ReplyTimes } from "./report.ts";

/** The p-th percentile (0 < p ≤ 100) of samples sorted ascending; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/**
 * The report's summary of reply times (ms) and of the reply expectations that timed out (left
 * out of the times); null when there was neither. The percentiles are null when none was met.
 */
export function replyTimes(samples: readonly number[], timedOut: number): ReplyTimes | null {
  if (samples.length === 0 && timedOut === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? null : percentile(sorted, p));
  return {
    count: sorted.length,
    timed_out: timedOut,
    p50_ms: at(50),
    p95_ms: at(95),
    p99_ms: at(99),
    max_ms: at(100),
  };
}
