// How much of a scenario run's report the sandbox API keeps. A load test may make 10 000 buyer
// runs of up to 500 steps each: kept whole, one report would hold millions of steps, 50 runs are
// kept, and a running one is serialised on every poll. So only the first KEPT_PER_OUTCOME buyer
// runs to end with each outcome (passed, failed, skipped) keep their steps and conversation; the
// others keep the rest (the buyer, its ids, outcome, duration and variables) with both emptied.
// An ended buyer run always has steps (its script has at least one), so empty ones say "not kept".
// `beseda test` keeps everything: its --json has it all.
import type { BuyerRunReport, Outcome, ScenarioReport } from "./report.ts";

/** How many ended buyer runs of each outcome keep their steps. */
export const KEPT_PER_OUTCOME = 20;

export class KeptSteps {
  readonly #limit: number;
  readonly #kept: Record<Outcome, number> = { passed: 0, failed: 0, skipped: 0 };
  /** The buyer runs already counted: each is decided once, when it ends. */
  readonly #decided = new WeakSet<BuyerRunReport>();

  constructor(limit = KEPT_PER_OUTCOME) {
    this.#limit = limit;
  }

  /**
   * A buyer run that has ended: it keeps its steps while its outcome has room, else they go. The
   * engine is done with a buyer run once it says it ended (only its outcome is read after), so
   * emptying its lists in place is what frees them.
   */
  ended(buyer: BuyerRunReport): void {
    if (this.#decided.has(buyer)) return;
    this.#decided.add(buyer);
    if (this.#kept[buyer.outcome] < this.#limit) {
      this.#kept[buyer.outcome]++;
      return;
    }
    buyer.steps = [];
    buyer.conversation = [];
  }

  /** The report once the scenario ended: its buyer runs that never began are decided too. */
  scenarioEnded(report: ScenarioReport): void {
    for (const buyer of report.buyers) this.ended(buyer);
  }
}
