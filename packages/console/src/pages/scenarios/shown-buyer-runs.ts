// Which buyer runs a run's view draws. A load test may have 10 000 of them: every running one is
// drawn, and the first SHOWN_PER_OUTCOME ended ones of each outcome (the sandbox API keeps the
// steps of as many, and no more: an ended run with no steps is one it did not keep); the others
// are counted ("and 1 980 more passed"), as `beseda test` prints a load test.
import { buyerDone } from "./run-format.ts";
import type { BuyerRunReport, Outcome } from "./scenario-types.ts";

/** How many ended buyer runs of each outcome are drawn: what the sandbox API keeps in full. */
export const SHOWN_PER_OUTCOME = 20;

export interface ShownBuyerRuns {
  /** The buyer runs drawn, in the report's order, each with its place in it. */
  shown: { buyer: BuyerRunReport; index: number }[];
  /** The ended ones not drawn, by outcome. */
  more: Record<Outcome, number>;
}

export function shownBuyerRuns(
  buyers: readonly BuyerRunReport[],
  scenarioRunning: boolean,
): ShownBuyerRuns {
  const drawn: Record<Outcome, number> = { passed: 0, failed: 0, skipped: 0 };
  const more: Record<Outcome, number> = { passed: 0, failed: 0, skipped: 0 };
  const shown: ShownBuyerRuns["shown"] = [];
  buyers.forEach((buyer, index) => {
    if (!buyerDone(buyer, scenarioRunning)) {
      shown.push({ buyer, index });
    } else if (buyer.steps.length === 0 || drawn[buyer.outcome] >= SHOWN_PER_OUTCOME) {
      more[buyer.outcome]++;
    } else {
      drawn[buyer.outcome]++;
      shown.push({ buyer, index });
    }
  });
  return { shown, more };
}

/** 1980 → "1 980" (a no-break space between thousands, as the CLI groups them). */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
}

/** "and 1 980 more passed, 3 more failed"; null when every ended run is drawn. */
export function moreBuyerRuns(more: Record<Outcome, number>): string | null {
  const parts = (["failed", "passed", "skipped"] as const)
    .filter((outcome) => more[outcome] > 0)
    .map((outcome) => `${formatCount(more[outcome])} more ${outcome}`);
  return parts.length === 0 ? null : `and ${parts.join(", ")}`;
}
