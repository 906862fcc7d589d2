// Why a bot did not answer, as far as Beseda knows: the webhook of the buyer's last message (did
// it reach the bot, how did the bot answer it) and the run's fault rules that fired. Added to a
// failed `reply`/`replies` step's `actual`, so that "no reply within 5s" comes with its likely
// cause rather than sending the user to the deliveries and faults pages.
import { abortable } from "./abortable.ts";
import type { BuyerState, RunningScenario } from "./buyer-state.ts";
import { describeReply } from "./reply-matchers.ts";
import type { Delivery } from "./sandbox-shapes.ts";
import { describeRule } from "./scenario-faults.ts";

/** A diagnosis is a courtesy: it may not hold the failure's report up longer than this. */
const DIAGNOSIS_TIMEOUT_MS = 3_000;

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * Where a delivery stands, in words: "2 attempts, the last answered 500 by fault rule fault-3
 * (failed)", "3 attempts, the last ECONNREFUSED (pending)", "not attempted yet (queued)".
 */
export function describeDelivery(delivery: Delivery): string {
  const attempt = delivery.attempts.at(-1);
  if (!attempt) return `not attempted yet (${delivery.status})`;
  const outcome =
    attempt.status !== null ? `answered ${attempt.status}` : (attempt.error ?? "unanswered");
  const by = attempt.fault === null ? "" : ` by fault rule ${attempt.fault}`;
  return `${plural(delivery.attempts.length, "attempt", "attempts")}, the last ${outcome}${by} (${delivery.status})`;
}

/**
 * The delivery of a message's webhook to the seller (the newest, should there be several), with
 * its attempts; null when there is none. Asked for by the message's id, so that it is found
 * however many deliveries came after it (a load test makes thousands), and nothing else is sent.
 */
export async function sellerDeliveryOf(
  run: RunningScenario,
  messageId: string,
  signal: AbortSignal,
): Promise<Delivery | null> {
  const query = new URLSearchParams({
    user_id: String(run.seller),
    message_id: messageId,
    limit: "1",
  });
  const { deliveries } = await abortable(
    run.sandbox.call<{ deliveries: Delivery[] }>("GET", `/webhooks/deliveries?${query}`),
    signal,
  );
  return deliveries[0] ?? null;
}

/** The webhook of the buyer's last message, in words; null when the buyer has sent none. */
async function lastMessageWebhook(
  run: RunningScenario,
  state: BuyerState,
  signal: AbortSignal,
): Promise<string | null> {
  const last = state.sent.at(-1);
  if (!last) return null;
  const message = state.chat.find(last.id)?.message;
  const named = message
    ? `the webhook of ${describeReply(message)}`
    : "the webhook of the buyer's last message";
  const delivery = await sellerDeliveryOf(run, last.id, signal);
  return delivery
    ? `${named}: ${describeDelivery(delivery)}`
    : `${named}: none to the seller (is the bot subscribed?)`;
}

/** The run's fault rules that fired, in words ("fault rule fault-3 (429 on *) fired 10 times"). */
async function firedRules(run: RunningScenario, signal: AbortSignal): Promise<string[]> {
  const rules = await abortable(run.faults.fired(), signal);
  return rules.map(
    (rule) => `fault rule ${describeRule(rule)} fired ${plural(rule.fired, "time", "times")}`,
  );
}

/**
 * What Beseda knows of why no reply came, as "; "-separated clauses to follow "no reply within
 * 5s"; "" when it knows nothing or could not ask within DIAGNOSIS_TIMEOUT_MS (or the run aborts).
 */
export async function noReplyDiagnosis(run: RunningScenario, state: BuyerState): Promise<string> {
  const signal = AbortSignal.any([run.signal, AbortSignal.timeout(DIAGNOSIS_TIMEOUT_MS)]);
  const [webhook, rules] = await Promise.all([
    lastMessageWebhook(run, state, signal).catch(() => null),
    firedRules(run, signal).catch((): string[] => []),
  ]);
  return [webhook, ...rules].filter((clause) => clause !== null).join("; ");
}
