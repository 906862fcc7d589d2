// What a fault rule is, the checks a new one must pass before it is stored (each failure names its
// field), and the rule as the sandbox API shows it. The checks that need the store (does the
// account exist, is the chat its) are in faults.ts; this module reads nothing.
import type { FaultRuleRecord } from "../../store/repositories/faults.ts";

/** Matches every operation of the API (not webhook deliveries). */
export const ANY_OPERATION = "*";
/** Matches an account's webhook deliveries. */
export const WEBHOOK_OPERATION = "webhook";
/** The statuses a rule may answer an API request with: production's bad days. */
export const FAULT_STATUSES = [402, 403, 429, 500, 502, 503] as const;
/** A webhook rule's status is what the receiver seems to answer: any error. */
export const WEBHOOK_STATUS_RANGE = { min: 400, max: 599 } as const;
/** The longest delay a rule may add; Node's request and idle timeouts are longer. */
export const MAX_LATENCY_MS = 60_000;

export type DropWhen = "before" | "after";

/** An operation requests can be matched by: its operationId, and whether it names a chat. */
export interface FaultOperation {
  operationId: string;
  takesChat: boolean;
}

export interface FaultRuleInput {
  operation: string;
  userId: number | null;
  chatId: string | null;
  status: number | null;
  latencyMs: number | null;
  drop: DropWhen | null;
  retryAfter: number | null;
  times: number | null;
  probability: number | null;
  seed: number | null;
  until: number | null;
}

/** A stored rule as the domain uses it: its public id and the seed actually in use. */
export interface FaultRule extends Omit<FaultRuleRecord, "id" | "seed"> {
  id: string;
  /** The store's key. */
  key: number;
  seed: number;
  /** The seed as given; null: derived from the id. */
  seedGiven: number | null;
}

export interface FaultRuleView {
  id: string;
  operation: string;
  user_id: number | null;
  chat_id: string | null;
  status: number | null;
  latency_ms: number | null;
  drop: DropWhen | null;
  retry_after: number | null;
  times: number | null;
  probability: number | null;
  seed: number;
  until: number | null;
  /** Requests (or deliveries) the rule acted on. */
  fired: number;
  /** Requests that met its conditions while it was live, fired or not (probability draws). */
  matched: number;
  /** Spent: fired `times` times, or the clock passed `until`; it never fires again. */
  spent: boolean;
  created: number;
}

const ID_PREFIX = "fault-";

export function faultId(key: number): string {
  return `${ID_PREFIX}${key}`;
}

/** The store's key of a public id, or null when it cannot name a rule. */
export function faultKey(id: string): number | null {
  const match = /^fault-([1-9]\d{0,15})$/.exec(id);
  const key = match ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(key) ? key : null;
}

/** FNV-1a of the id: the seed of a rule that was given none, the same wherever the id is. */
export function seedOfId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function ruleOf(record: FaultRuleRecord): FaultRule {
  const id = faultId(record.id);
  return {
    ...record,
    id,
    key: record.id,
    seed: record.seed ?? seedOfId(id),
    seedGiven: record.seed,
  };
}

export function isSpent(rule: FaultRule, now: number): boolean {
  return (
    (rule.times !== null && rule.fired >= rule.times) || (rule.until !== null && now >= rule.until)
  );
}

export function viewOf(rule: FaultRule, now: number): FaultRuleView {
  return {
    id: rule.id,
    operation: rule.operation,
    user_id: rule.userId,
    chat_id: rule.chatId,
    status: rule.status,
    latency_ms: rule.latencyMs,
    drop: rule.drop,
    retry_after: rule.retryAfter,
    times: rule.times,
    probability: rule.probability,
    seed: rule.seed,
    until: rule.until,
    fired: rule.fired,
    matched: rule.matched,
    spent: isSpent(rule, now),
    created: rule.created,
  };
}

/**
 * The checks that need nothing but the rule, the operations known and the time: every field that
 * would make a rule that can never match, or that says two things at once. Types and ranges are
 * the route's schema's; what is found here is returned field by field.
 */
export function ruleProblems(
  input: FaultRuleInput,
  operations: ReadonlyMap<string, FaultOperation>,
  now: number,
): Record<string, string> {
  const problems: Record<string, string> = {};
  const isWebhook = input.operation === WEBHOOK_OPERATION;
  const operation = operations.get(input.operation);
  if (input.operation !== ANY_OPERATION && !isWebhook && !operation) {
    problems.operation = `is not an operation: use an operationId (e.g. getChatsV2, postSendMessage, getAccessToken), "${ANY_OPERATION}" or "${WEBHOOK_OPERATION}"`;
  }
  if (input.chatId !== null && operation && !operation.takesChat) {
    problems.chat_id = `${input.operation} takes no chat: a rule naming one would never match`;
  }
  if (input.status === null && input.latencyMs === null && input.drop === null) {
    const needed = "a rule needs an action: status, latency_ms or drop";
    problems.status = needed;
  }
  if (input.status !== null && input.drop !== null) {
    problems.drop = "a rule either drops the connection or answers a status, not both";
  }
  if (input.status !== null) {
    if (isWebhook) {
      const { min, max } = WEBHOOK_STATUS_RANGE;
      if (input.status < min || input.status > max) {
        problems.status = `a webhook rule's status is the receiver's answer: ${min} to ${max}`;
      }
    } else if (!(FAULT_STATUSES as readonly number[]).includes(input.status)) {
      problems.status = `must be one of ${FAULT_STATUSES.join(", ")}`;
    }
  }
  if (input.retryAfter !== null && input.status !== 429) {
    problems.retry_after = "goes with status 429 only";
  }
  if (input.until !== null && input.until <= now) {
    problems.until = `is not in the future: the sandbox clock says ${now}`;
  }
  return problems;
}
