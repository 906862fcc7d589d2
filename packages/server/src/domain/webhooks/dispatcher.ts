// Delivers the outbox. Wakes at once when an event is written (or the sandbox clock moves), and
// otherwise when the next retry falls due. Each account's deliveries for one chat go one at a
// time, in order; different streams go in parallel, so one slow receiver holds back nobody else.
// Results are written in batches: one transaction (one fsync) for many answers.
import { createHmac } from "node:crypto";
import type { Clock } from "../../clock.ts";
import { findAccounts } from "../../store/repositories/accounts.ts";
import {
  type Attempt,
  cancelUnsubscribed,
  type Delivery,
  type DeliveryUpdate,
  dueDeliveries,
  findSubscriptions,
  nextDueMs,
  promoteNext,
  recordAttempts,
} from "../../store/repositories/webhooks.ts";
import type { Store } from "../../store/store.ts";
import { parseRetryAfter, type RetrySettings, retryDelayMs } from "./retry-policy.ts";
import { WEBHOOK_USER_AGENT } from "./subscriptions.ts";
import type { PostResult, WebhookTransport } from "./transport.ts";

/** The header production sends: 64 hex characters. Beseda's is HMAC-SHA256 keyed with the client secret. */
export const SIGNATURE_HEADER = "x-avito-messenger-signature";
/** Streams in flight at once. */
const MAX_IN_FLIGHT = 128;
/** The longest sleep: a wake-up now and then costs little and heals any missed signal. */
const MAX_SLEEP_MS = 30_000;

export function signBody(clientSecret: string, body: string): string {
  return createHmac("sha256", clientSecret).update(body).digest("hex");
}

interface Finished {
  delivery: Delivery;
  attempt: Attempt;
  update: DeliveryUpdate;
}

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  transport: WebhookTransport;
  retry: RetrySettings;
  onError: (error: unknown) => void;
}

export class WebhookDispatcher {
  readonly #options: DispatcherOptions;
  /** Streams ("user:chat") with a delivery in flight or a result not yet written. */
  readonly #busy = new Set<string>();
  /** Their deliveries, left out of the due query: they are still pending in the table. */
  readonly #deliveriesInFlight = new Set<string>();
  readonly #finished: Finished[] = [];
  readonly #attempts = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  #again = false;
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /** New work or a moved clock: look now. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = true;
    // Wakes in the same turn of the event loop (a burst of sends, many answers) make one tick.
    setImmediate(() => {
      void this.#tick().finally(() => {
        this.#ticking = false;
      });
    });
  }

  /** Stops taking work, lets attempts in flight end (2 s at most) and writes their results. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#attempts]);
    await this.#flush();
    this.#options.transport.close();
  }

  async #tick(): Promise<void> {
    try {
      do {
        this.#again = false;
        await this.#flush();
        if (this.#stopped) return;
        await this.#startDue();
      } while (this.#again && !this.#stopped);
      // While attempts are in flight their answers wake the dispatcher; the timer only backs up.
      if (this.#busy.size > 0) this.#sleep(1000);
      else await this.#sleepUntilDue();
    } catch (error) {
      this.#options.onError(error);
      this.#sleep(1000);
    }
  }

  async #startDue(): Promise<void> {
    const { store, clock } = this.#options;
    const inFlight = [...this.#deliveriesInFlight];
    const due = await dueDeliveries(store.db, clock.nowMs(), MAX_IN_FLIGHT * 2, inFlight);
    const ready = due.filter((d) => !this.#busy.has(streamOf(d)));
    if (ready.length === 0) return;
    const userIds = [...new Set(ready.map((d) => d.userId))];
    const [subscriptions, accounts] = await Promise.all([
      findSubscriptions(store.db, userIds),
      findAccounts(store.db, userIds),
    ]);
    const unsubscribed = new Set<number>();
    for (const delivery of ready) {
      if (this.#busy.size >= MAX_IN_FLIGHT) break;
      const stream = streamOf(delivery);
      if (this.#busy.has(stream)) continue;
      const url = subscriptions.find((s) => s.userId === delivery.userId)?.url;
      const secret = accounts.find((a) => a.id === delivery.userId)?.clientSecret;
      if (!url || !secret) {
        // Nobody to send to (unsubscribed, then redelivered): cancelled below, not left due.
        unsubscribed.add(delivery.userId);
        continue;
      }
      this.#busy.add(stream);
      this.#deliveriesInFlight.add(delivery.id);
      const attempt = this.#attempt(delivery, url, secret).then((finished) => {
        this.#finished.push(finished);
        this.#attempts.delete(attempt);
        this.wake();
      });
      this.#attempts.add(attempt);
    }
    for (const userId of unsubscribed) await cancelUnsubscribed(store.db, userId, clock.nowMs());
  }

  async #attempt(delivery: Delivery, url: string, secret: string): Promise<Finished> {
    const { clock, transport, retry } = this.#options;
    const startedMs = clock.nowMs();
    const result: PostResult = await transport.post(url, delivery.body, {
      "content-type": "application/json",
      "user-agent": WEBHOOK_USER_AGENT,
      [SIGNATURE_HEADER]: signBody(secret, delivery.body),
    });
    const endedMs = clock.nowMs();
    const attempts = delivery.attempts + 1;
    const attempt: Attempt = {
      deliveryId: delivery.id,
      number: attempts,
      url,
      startedMs,
      durationMs: result.durationMs,
      statusCode: result.statusCode,
      error: result.error,
      responseExcerpt: result.excerpt,
    };
    // Only 200 counts as delivered (production's rule).
    if (result.statusCode === 200) {
      return {
        delivery,
        attempt,
        update: {
          status: "delivered",
          attempts,
          step: delivery.step,
          nextAttemptMs: endedMs,
          finishedMs: endedMs,
        },
      };
    }
    const retryAfter = parseRetryAfter(result.retryAfter, endedMs);
    const next = endedMs + retryDelayMs(retry, delivery.step, retryAfter);
    const givesUp = next - delivery.windowStartMs > retry.giveUpAfterSeconds * 1000;
    return {
      delivery,
      attempt,
      update: givesUp
        ? {
            status: "failed",
            attempts,
            step: delivery.step + 1,
            nextAttemptMs: next,
            finishedMs: endedMs,
          }
        : {
            status: "pending",
            attempts,
            step: delivery.step + 1,
            nextAttemptMs: next,
            finishedMs: null,
          },
    };
  }

  /** Writes every finished attempt in one transaction, then frees their streams. */
  async #flush(): Promise<void> {
    if (this.#finished.length === 0) return;
    const batch = this.#finished.splice(0);
    try {
      await this.#options.store.transaction(async (db) => {
        const moved = await recordAttempts(db, batch);
        // A delivery finished for good: the next event of its stream is due now.
        for (const { delivery, update } of batch) {
          if (moved.has(delivery.id) && update.status !== "pending") {
            await promoteNext(db, delivery.userId, delivery.chatId, this.#options.clock.nowMs());
          }
        }
      });
    } finally {
      for (const { delivery } of batch) {
        this.#busy.delete(streamOf(delivery));
        this.#deliveriesInFlight.delete(delivery.id);
      }
    }
  }

  async #sleepUntilDue(): Promise<void> {
    const next = await nextDueMs(this.#options.store.db);
    if (next === null) return this.#sleep(MAX_SLEEP_MS);
    this.#sleep(Math.max(0, next - this.#options.clock.nowMs()));
  }

  #sleep(ms: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), Math.min(ms, MAX_SLEEP_MS));
    this.#timer.unref();
  }
}

function streamOf(delivery: Delivery): string {
  return `${delivery.userId}:${delivery.chatId}`;
}
