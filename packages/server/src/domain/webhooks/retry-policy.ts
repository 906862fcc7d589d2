// When a failed delivery is tried again: the configured schedule (the last wait repeating) with
// ±20% jitter so that receivers coming back up are not hit by every sender at once; a longer
// Retry-After from the receiver wins; past the give-up time the delivery has failed for good.
export interface RetrySettings {
  /** Seconds before each retry; the last repeats. */
  schedule: readonly number[];
  giveUpAfterSeconds: number;
}

export const JITTER = 0.2;

export function retryDelayMs(
  settings: RetrySettings,
  step: number,
  retryAfterSeconds: number | null,
  random: () => number = Math.random,
): number {
  const base = settings.schedule[Math.min(step, settings.schedule.length - 1)] ?? 1;
  const jittered = base * 1000 * (1 - JITTER + 2 * JITTER * random());
  return Math.round(Math.max(jittered, (retryAfterSeconds ?? 0) * 1000));
}

/** Retry-After as seconds: either delta-seconds or an HTTP date (read on `nowMs`). */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - nowMs) / 1000));
}
