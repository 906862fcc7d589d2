// What a `fault` step asks the sandbox for: a preset's rule with the step's fields over it, for
// the seller's account, as the body of POST /sandbox/v1/faults; or, for `token_expired`, no rule
// but the expiry of the seller's access tokens. Pure.
import type { FaultPreset, FaultStep } from "./model.ts";

/** The body of POST /sandbox/v1/faults (README, Faults). */
export interface FaultRuleBody {
  operation: string;
  user_id: number;
  status?: number;
  latency_ms?: number;
  drop?: "before" | "after";
  retry_after?: number;
  times?: number;
  probability?: number;
  /** Unix seconds of the sandbox clock when the rule is spent. */
  until?: number;
}

type PresetRule = Omit<FaultRuleBody, "user_id" | "until">;

/** The rule of each preset that is one; `token_expired` is an action, not a rule. */
export const FAULT_PRESETS: Readonly<Record<Exclude<FaultPreset, "token_expired">, PresetRule>> = {
  /** Every call of the bot answers 429 (Retry-After: 1), ten times. */
  rate_limit_storm: { operation: "*", status: 429, retry_after: 1, times: 10 },
  /** Every call of the bot answers 503, five times. */
  api_down: { operation: "*", status: 503, times: 5 },
  /** Three webhook deliveries "answer" 500: Beseda retries them, so the bot hears later. */
  webhooks_failing: { operation: "webhook", status: 500, times: 3 },
};

export type FaultAction =
  | { kind: "expire_tokens" }
  | { kind: "rule"; body: FaultRuleBody }
  /** The step names neither a preset nor an operation: nothing the sandbox could do. */
  | { kind: "invalid"; message: string };

/**
 * The action of a fault step for `seller`. `nowSeconds` is the sandbox clock, needed only when
 * the step has `for` (the rule's `until`).
 */
export function faultAction(step: FaultStep, seller: number, nowSeconds: number): FaultAction {
  if (step.preset === "token_expired") return { kind: "expire_tokens" };
  const base: PresetRule = step.preset ? { ...FAULT_PRESETS[step.preset] } : { operation: "" };
  const { rule } = step;
  if (rule.operation !== null) base.operation = rule.operation;
  if (rule.drop !== null) {
    // A dropped request has no status to answer: the preset's goes.
    base.drop = rule.drop;
    delete base.status;
    delete base.retry_after;
  }
  if (rule.status !== null) {
    base.status = rule.status;
    // Retry-After belongs to a 429 only (the sandbox refuses it otherwise).
    if (rule.status !== 429) delete base.retry_after;
  }
  if (rule.latencyMs !== null) base.latency_ms = rule.latencyMs;
  if (rule.retryAfter !== null) base.retry_after = rule.retryAfter;
  if (rule.times !== null) base.times = rule.times;
  if (rule.probability !== null) base.probability = rule.probability;
  if (base.operation === "") {
    return { kind: "invalid", message: "a fault needs a preset or an operation" };
  }
  const body: FaultRuleBody = { ...base, user_id: seller };
  if (step.forMs !== null) body.until = nowSeconds + Math.max(1, Math.ceil(step.forMs / 1000));
  return { kind: "rule", body };
}
