// How the scenarios page writes a run's parts: durations in ms or seconds, outcome marks (✓ ✗ –)
// with the word a screen reader says, and a status's pill colour.
import type { BuyerRunReport, Outcome, RunStatus } from "./scenario-types.ts";

/** 340 ms, 1.2 s, 2 min 5 s. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A step (or a buyer run) as shown: its outcome, or running while it goes on. */
export type StepState = Outcome | "running";

export const MARKS: Record<StepState, { mark: string; word: string }> = {
  passed: { mark: "✓", word: "passed" },
  failed: { mark: "✗", word: "failed" },
  skipped: { mark: "–", word: "skipped" },
  running: { mark: "…", word: "running" },
};

export const STATUS_PILL: Record<RunStatus, string> = {
  running: "accent",
  passed: "ok",
  failed: "danger",
  cancelled: "warn",
};

/**
 * Whether a buyer run is over. The report holds a buyer run from its start, `skipped` until it
 * ends, with its steps as they end (a failed step's skipped ones come with it).
 */
export function buyerDone(buyer: BuyerRunReport, scenarioRunning: boolean): boolean {
  return !scenarioRunning || buyer.outcome !== "skipped";
}

/** ISO time → "22:01:05" (the browser's time zone). */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString("ru-RU");
}
