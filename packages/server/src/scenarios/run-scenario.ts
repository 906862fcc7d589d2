// Runs one scenario against a Beseda's sandbox API: its world made, then `repeat` × buyers runs,
// at most `concurrency` at once, each a new buyer talking to the bot; every fault rule it made
// removed at the end, whatever happened. A scenario's failure is in its report, never thrown.
import { abortable, Interrupted, interruption } from "./abortable.ts";
import { type BuyerRunPlan, pendingBuyerRun, runBuyer, skippedSteps } from "./buyer-run.ts";
import type { ReplyTally, RunningScenario } from "./buyer-state.ts";
import { ChatWatch } from "./chat-watch.ts";
import type { Scenario } from "./model.ts";
import { tell } from "./observer.ts";
import { replyTimes } from "./percentiles.ts";
import { type ScenarioReport, unrunScenarioReport } from "./report.ts";
import type { ScenarioRunOptions } from "./run-options.ts";
import { ScenarioFaults } from "./scenario-faults.ts";
import { prepareWorld } from "./world-setup.ts";

/** How long the removal of the run's fault rules may take at its end. */
const CLEANUP_TIMEOUT_MS = 10_000;

/**
 * Every run of the scenario, in order: each repetition runs every buyer's script. Runs count
 * from 1, as people do: "Анна #1" is run 1, and so is its {{run}}.
 */
export function buyerRunPlans(scenario: Scenario): BuyerRunPlan[] {
  const plans: BuyerRunPlan[] = [];
  for (let run = 1; run <= scenario.repeat; run++) {
    for (const script of scenario.buyers) {
      const name = scenario.repeat > 1 ? `${script.name} #${run}` : script.name;
      plans.push({ script, run, name });
    }
  }
  return plans;
}

/**
 * Runs `work` on each plan, at most `limit` at once, in order; none starts once `signal` aborts.
 * With the parser's default `concurrency` (the number of buyers) one repetition's buyers write
 * side by side, and each next run starts as soon as one ends.
 */
async function inPool(
  plans: readonly BuyerRunPlan[],
  limit: number,
  signal: AbortSignal,
  work: (plan: BuyerRunPlan) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < plans.length && !signal.aborted) {
      const plan = plans[next++] as BuyerRunPlan;
      await work(plan);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, plans.length)) }, worker));
}

/** Removes the run's fault rules, within a bound: a server that stopped answering ends it. */
async function removeFaults(faults: ScenarioFaults): Promise<string[]> {
  try {
    return await abortable(faults.clear(), AbortSignal.timeout(CLEANUP_TIMEOUT_MS));
  } catch {
    return [`the fault rules were not removed within ${CLEANUP_TIMEOUT_MS / 1000}s`];
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runScenario(
  scenario: Scenario,
  options: ScenarioRunOptions,
): Promise<ScenarioReport> {
  const { sandbox, signal, observer } = options;
  const started = performance.now();
  const report = unrunScenarioReport(scenario, "skipped", null, options.now());
  tell(observer, (o) => o.scenarioStarted?.(report));
  const plans = buyerRunPlans(scenario);
  const begun = new Set<BuyerRunPlan>();
  const replies: ReplyTally = { times: [], timedOut: 0 };
  let watch: ChatWatch | null = null;
  let faults: ScenarioFaults | null = null;
  const problems: string[] = [];
  try {
    if (signal.aborted) throw new Interrupted(signal.reason);
    const world = await prepareWorld(scenario, options, sandbox);
    report.seller_id = world.seller;
    faults = new ScenarioFaults(sandbox, world.seller);
    watch = await ChatWatch.open(sandbox, signal);
    const running: RunningScenario = {
      scenario,
      sandbox,
      seller: world.seller,
      items: world.items,
      watch,
      faults,
      defaultTimeoutMs: options.defaultTimeoutMs,
      readFile: (path) => options.readFile(path),
      signal,
    };
    await inPool(plans, scenario.concurrency, signal, async (plan) => {
      const buyerReport = pendingBuyerRun(plan);
      begun.add(plan);
      report.buyers.push(buyerReport);
      await runBuyer(running, plan, buyerReport, replies, observer);
    });
  } catch (error) {
    problems.push(errorMessage(error));
  } finally {
    // Also after an abort: no rule of this scenario outlives it.
    if (faults) problems.push(...(await removeFaults(faults)));
    await watch?.close();
  }
  for (const plan of plans) {
    if (begun.has(plan)) continue;
    const never = pendingBuyerRun(plan);
    never.steps = skippedSteps(plan.script, 0);
    report.buyers.push(never);
  }
  const outcomes = report.buyers.map((b) => b.outcome);
  // Aborted between steps of no run (before the runs, between them): say so, not "skipped".
  if (
    signal.aborted &&
    problems.length === 0 &&
    !outcomes.includes("failed") &&
    !outcomes.every((o) => o === "passed")
  ) {
    problems.push(interruption(signal.reason));
  }
  report.error = problems.length > 0 ? problems.join("; ") : null;
  report.outcome =
    report.error !== null || outcomes.includes("failed")
      ? "failed"
      : outcomes.every((o) => o === "passed")
        ? "passed"
        : "skipped";
  report.reply_times = replyTimes(replies.times, replies.timedOut);
  report.duration_ms = Math.round(performance.now() - started);
  tell(observer, (o) => o.scenarioEnded?.(report));
  return report;
}
