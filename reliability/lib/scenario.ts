// What a reliability scenario reports. Like the benchmarks' figures (bench/lib/report.ts), with one
// difference: an invariant is a figure that must meet its goal for the run to count as passed
// (no 5xx, no envelope break, no acknowledged loss). Invariants are correctness, so the smoke test
// asserts them; the other figures (stalls, RSS) are measurements, reported and never asserted.
import type { Figure } from "../../bench/lib/report.ts";

export interface ReliabilityFigure extends Figure {
  /** Must meet its goal in every run, the smoke run included. */
  invariant?: boolean;
}

export interface ReliabilityResult {
  scenario: string;
  description: string;
  figures: ReliabilityFigure[];
  /** Findings worth reading: examples of violations, what was run, how. */
  notes: string[];
}

export interface ReliabilityOptions {
  /** Small and fast: part of `npm test`. */
  smoke: boolean;
  /** For the fuzzer: how many requests (default: a few thousand in smoke mode, 10,000 otherwise). */
  requests?: number;
  /** Seed of every random choice, so that a finding can be replayed. */
  seed: number;
  /** For the soak: how long it runs (default 180 s; 10 s in smoke mode). */
  soakSeconds?: number;
}

export interface ReliabilityScenario {
  name: string;
  description: string;
  run(options: ReliabilityOptions): Promise<ReliabilityResult>;
}

/** A count that must be zero. */
export function mustBeZero(name: string, value: number, unit = ""): ReliabilityFigure {
  return { name, value, unit, invariant: true, goal: { text: "0", met: value === 0 } };
}
