// Whether a fault rule acts on one request: does it match (operation, account, chat), is it still
// live (times, until), and, for a rule with a probability, the draw. Draws come from the rule's
// own generator: the n-th draw of a seed is always the same number, so a run of the same requests
// against a rule with the same seed fires on the same ones, on any server, after any restart.
import { ANY_OPERATION, type FaultRule, isSpent, WEBHOOK_OPERATION } from "./faults-rules.ts";

/** What a request (or webhook delivery) is, for matching. */
export interface FaultTarget {
  operation: string;
  /** The account acted for; null when the request names none. */
  userId: number | null;
  chatId: string | null;
}

/**
 * The `draw`-th number (from 0) of the seed's sequence, in [0, 1): mulberry32, whose state only
 * ever moves by a constant step, computed at any position without running through the others.
 */
export function drawOf(seed: number, draw: number): number {
  let t = (seed + Math.imul(draw + 1, 0x6d2b79f5)) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export function matches(rule: FaultRule, target: FaultTarget): boolean {
  if (rule.operation === ANY_OPERATION) {
    // "*" is the API's operations: a webhook delivery is matched only by a webhook rule.
    if (target.operation === WEBHOOK_OPERATION) return false;
  } else if (rule.operation !== target.operation) return false;
  if (rule.userId !== null && rule.userId !== target.userId) return false;
  if (rule.chatId !== null && rule.chatId !== target.chatId) return false;
  return true;
}

/**
 * Decides, for a request the rule matches, whether it fires now, and counts it: `matched` for
 * every request met while the rule is live (each a draw, when it has a probability), `fired` for
 * those it acts on. A spent rule is not consulted and counts nothing.
 */
export function decide(rule: FaultRule, now: number): boolean {
  if (isSpent(rule, now)) return false;
  const draw = rule.matched;
  rule.matched += 1;
  if (rule.probability !== null && drawOf(rule.seed, draw) >= rule.probability) return false;
  rule.fired += 1;
  return true;
}
