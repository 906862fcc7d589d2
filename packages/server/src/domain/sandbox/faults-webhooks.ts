// Fault rules on webhook deliveries ("operation":"webhook"), applied by the dispatcher around each
// POST. What each action does to an attempt, which the retry policy then treats like any other:
// - status: the receiver is not called; the attempt is logged as if it had answered that status.
// - drop "before": the receiver is not called; logged as a connection that failed.
// - drop "after": the POST is made and the receiver gets it, but its answer is thrown away and the
//   attempt logged as a connection cut before the answer: the delivery is sent again, which is how
//   a receiver's de-duplication is tested.
// - latency_ms: the POST is made that much later (the delivery's stream waits meanwhile).
// Every attempt a rule decided carries the rule's id in the delivery log.
import type { Clock } from "../../clock.ts";
import type { Delivery } from "../../store/repositories/webhook-records.ts";
import type { AttemptInterceptor } from "../webhooks/dispatcher.ts";
import type { PostResult } from "../webhooks/transport.ts";
import type { FaultRegistry } from "./faults-registry.ts";
import { WEBHOOK_OPERATION } from "./faults-rules.ts";

export function webhookFaults(registry: FaultRegistry, clock: Clock): AttemptInterceptor {
  return {
    async post(delivery: Delivery, send: () => Promise<PostResult>) {
      if (!registry.mayMatch(WEBHOOK_OPERATION)) return { result: await send(), faultId: null };
      const target = {
        operation: WEBHOOK_OPERATION,
        userId: delivery.userId,
        chatId: delivery.chatId,
      };
      const rule = await registry.pick(target, clock.now());
      if (!rule) return { result: await send(), faultId: null };
      const by = `injected by fault ${rule.id}`;
      const delayMs = rule.latencyMs ?? 0;
      if (delayMs > 0) await registry.delay(delayMs);
      const injected = (partial: Partial<PostResult>): PostResult => ({
        statusCode: null,
        error: null,
        excerpt: null,
        retryAfter: undefined,
        durationMs: delayMs,
        ...partial,
      });
      if (rule.status !== null) {
        const retryAfter = rule.retryAfter === null ? undefined : String(rule.retryAfter);
        return {
          result: injected({
            statusCode: rule.status,
            error: `${by}: answered ${rule.status} without calling the receiver`,
            retryAfter,
          }),
          faultId: rule.id,
        };
      }
      if (rule.drop === "before") {
        return {
          result: injected({ error: `${by}: the connection failed before the POST` }),
          faultId: rule.id,
        };
      }
      const sent = await send();
      if (rule.drop === "after") {
        const answer = sent.statusCode === null ? sent.error : `answered ${sent.statusCode}`;
        return {
          result: injected({
            durationMs: delayMs + sent.durationMs,
            excerpt: sent.excerpt,
            error: `${by}: the receiver got the POST (${answer}), then the connection was cut before its answer`,
          }),
          faultId: rule.id,
        };
      }
      return { result: { ...sent, durationMs: delayMs + sent.durationMs }, faultId: rule.id };
    },
  };
}
