// One run of a buyer's script: a new buyer account and its chat with the seller (about the item,
// or u2u), then the steps in order. A step that fails ends the run (the rest are skipped) and the
// report gets the conversation so far; an abort fails the step in progress as "interrupted" (or
// with the abort's reason, "the bot exited (code 3)").
import { abortable, Interrupted } from "./abortable.ts";
import { type ActionStep, performAction } from "./buyer-actions.ts";
import {
  type BuyerState,
  type ReplyTally,
  type RunningScenario,
  StepFailed,
} from "./buyer-state.ts";
import { conversationLines } from "./conversation.ts";
import { checkExpectation } from "./expectations.ts";
import type { BuyerScript, Step } from "./model.ts";
import { tell } from "./observer.ts";
import type { BuyerRunReport, ScenarioObserver, StepFailure, StepReport } from "./report.ts";
import type { Credentials, OpenedChat, SandboxMessage } from "./sandbox-shapes.ts";

/** How long a failed run waits for its conversation before reporting without it. */
const CONVERSATION_TIMEOUT_MS = 5_000;

/** One run to make: the script, which repetition it is (from 1), and the buyer's display name. */
export interface BuyerRunPlan {
  script: BuyerScript;
  run: number;
  name: string;
}

/** A run's report before it starts: every step skipped until it ends. */
export function pendingBuyerRun(plan: BuyerRunPlan): BuyerRunReport {
  return {
    buyer: plan.name,
    run: plan.run,
    buyer_id: null,
    chat_id: null,
    outcome: "skipped",
    duration_ms: 0,
    steps: [],
    conversation: [],
    variables: {},
  };
}

function stepReport(step: Step, index: number): StepReport {
  return {
    index,
    title: step.title,
    kind: step.kind,
    position: step.position,
    outcome: "skipped",
    duration_ms: 0,
    reply_ms: null,
    failure: null,
  };
}

/** The skipped steps from `from` on, for a run that ends early (or never starts). */
export function skippedSteps(script: BuyerScript, from: number): StepReport[] {
  return script.steps.slice(from).map((step, offset) => stepReport(step, from + offset));
}

/** Whether `error` is the run's abort (and not a failure of the step's own). */
function isInterruption(error: unknown, signal: AbortSignal): boolean {
  return !(error instanceof StepFailed) && (error instanceof Interrupted || signal.aborted);
}

function failureOf(error: unknown, signal: AbortSignal): StepFailure {
  if (error instanceof StepFailed) return error.failure;
  if (isInterruption(error, signal)) {
    // The abort's own reason, when the runner gave one ("the bot exited (code 7)"), is what
    // happened instead of the step: the message says it, once; nothing came to be `actual`.
    const interrupted = error instanceof Interrupted ? error : new Interrupted(signal.reason);
    return { message: interrupted.message, expected: null, actual: null };
  }
  // A refusal of the sandbox's says itself what was asked and why not ("POST /sandbox/v1/chats/…
  // answered 403: …"); so does a fill-in of an unknown variable.
  return {
    message: error instanceof Error ? error.message : String(error),
    expected: null,
    actual: null,
  };
}

async function openBuyer(
  run: RunningScenario,
  plan: BuyerRunPlan,
  report: BuyerRunReport,
): Promise<BuyerState> {
  const { sandbox, signal } = run;
  const buyer = await abortable(
    sandbox.call<Credentials>("POST", "/accounts", { name: plan.name }),
    signal,
  );
  report.buyer_id = buyer.user_id;
  const item = plan.script.item === null ? null : run.items.get(plan.script.item);
  if (plan.script.item !== null && !item)
    throw new Error(`the world has no item ${plan.script.item}`);
  const chat = await abortable(
    sandbox.call<OpenedChat>(
      "POST",
      "/chats",
      item
        ? { type: "u2i", item_id: item.id, user_id: buyer.user_id }
        : { type: "u2u", user_ids: [buyer.user_id, run.seller] },
    ),
    signal,
  );
  report.chat_id = chat.chat_id;
  const variables: Record<string, string> = {
    "buyer.name": plan.name,
    "buyer.id": String(buyer.user_id),
    "chat.id": chat.chat_id,
    "seller.id": String(run.seller),
    run: String(plan.run),
  };
  for (const [key, worldItem] of run.items) {
    variables[`item.${key}.id`] = String(worldItem.id);
    variables[`item.${key}.title`] = worldItem.title;
    variables[`item.${key}.url`] = worldItem.url;
  }
  return {
    buyerId: buyer.user_id,
    chatId: chat.chat_id,
    // Followed before the first step: nothing of the chat can happen earlier.
    chat: run.watch.follow(chat.chat_id),
    variables,
    captured: {},
    sent: [],
    lastAction: null,
    consumedSeq: -1,
  };
}

async function conversation(
  run: RunningScenario,
  state: BuyerState,
): Promise<BuyerRunReport["conversation"]> {
  try {
    const { messages } = await abortable(
      run.sandbox.call<{ messages: SandboxMessage[] }>(
        "GET",
        `/chats/${encodeURIComponent(state.chatId)}/messages?limit=500`,
      ),
      AbortSignal.timeout(CONVERSATION_TIMEOUT_MS),
    );
    return conversationLines(messages, state.buyerId);
  } catch {
    return [];
  }
}

/**
 * Runs the plan into `report` (already in the scenario's report), telling the observer as it
 * goes; `replies` gets each met reply's time and each reply expectation that timed out. Never
 * throws.
 */
export async function runBuyer(
  run: RunningScenario,
  plan: BuyerRunPlan,
  report: BuyerRunReport,
  replies: ReplyTally,
  observer?: ScenarioObserver,
): Promise<void> {
  const started = performance.now();
  tell(observer, (o) => o.buyerStarted?.(report));
  const steps = plan.script.steps;
  let state: BuyerState | null = null;
  let failedAt: number | null = null;
  try {
    state = await openBuyer(run, plan, report);
  } catch (error) {
    const failure = failureOf(error, run.signal);
    failedAt = 0;
    const first = steps[0];
    if (first) {
      const reported = stepReport(first, 0);
      reported.outcome = "failed";
      // An abort is no fault of the buyer's start: its reason reads as it does on any step.
      reported.failure = isInterruption(error, run.signal)
        ? failure
        : { ...failure, message: `the buyer could not start: ${failure.message}` };
      report.steps.push(reported);
      tell(observer, (o) => o.stepEnded?.(report, reported));
    }
  }
  for (let index = 0; state !== null && index < steps.length; index++) {
    const step = steps[index] as Step;
    const reported = stepReport(step, index);
    const stepStarted = performance.now();
    try {
      if (run.signal.aborted) throw new Interrupted(run.signal.reason);
      if (step.kind === "expect") {
        reported.reply_ms = await checkExpectation(run, state, step);
        if (reported.reply_ms !== null) replies.times.push(reported.reply_ms);
      } else {
        await performAction(run, state, step as ActionStep);
      }
      reported.outcome = "passed";
    } catch (error) {
      reported.outcome = "failed";
      reported.failure = failureOf(error, run.signal);
      if (error instanceof StepFailed && error.timedOut) replies.timedOut++;
      failedAt = index;
    }
    reported.duration_ms = Math.round(performance.now() - stepStarted);
    report.steps.push(reported);
    tell(observer, (o) => o.stepEnded?.(report, reported));
    if (failedAt !== null) break;
  }
  if (failedAt !== null) {
    for (const skipped of skippedSteps(plan.script, failedAt + 1)) {
      report.steps.push(skipped);
      tell(observer, (o) => o.stepEnded?.(report, skipped));
    }
    if (state) report.conversation = await conversation(run, state);
  }
  report.variables = state ? { ...state.captured } : {};
  report.outcome = failedAt === null ? "passed" : "failed";
  report.duration_ms = Math.round(performance.now() - started);
  tell(observer, (o) => o.buyerEnded?.(report));
}
