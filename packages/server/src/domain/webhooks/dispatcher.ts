// Delivers the outbox. Each account's deliveries for one chat (a stream) go one at a time, in
// order; different streams go in parallel, so one slow receiver holds back nobody else.
//
// The hot path searches the store for nothing. A write hands its freshly committed deliveries
// over (handOff): a stream's head goes out at once, and the deliveries queued behind it are
// remembered in order. When an attempt ends for good (200, or given up), the stream's next
// remembered delivery goes out at once too, and the store learns both facts in the next
// transaction: the results of one turn are written together, each finished head's successor
// promoted in the same commit. A crash in between costs a duplicate, never the order: on restart
// the store still holds the finished head as pending, and sends it again before its successor.
//
// The store stays the truth. A remembered delivery is promoted only if it is still queued, any
// doubt hands the stream back to the store's order, and streams not followed from their start
// (after a restart, or past the memory cap) are promoted by asking the store. The store is
// searched for due work only when something else may have made it due: start-up, a retry's time,
// the sandbox clock, a redelivery, or a delivery that could not start for want of a free slot.
//
// A paused account (the sandbox's pause) is left to the store: its deliveries are written queued,
// nothing of it is promoted or found due, and a retry of an attempt that was in flight when the
// pause came is written queued too. Pausing and resuming resync the dispatcher, so that nothing
// remembered of its streams goes out on its own.
import type { Clock } from "../../clock.ts";
import { insertAttempts } from "../../store/repositories/webhook-delivery-log.ts";
import {
  claimDue,
  type DeliveryUpdate,
  lockStreams,
  markDelivered,
  nextDueAfter,
  promote,
  promoteNext,
  releaseLeases,
  updateDelivery,
} from "../../store/repositories/webhook-queue.ts";
import type {
  Attempt,
  Delivery,
  DeliveryTarget,
  DueDelivery,
  Lease,
} from "../../store/repositories/webhook-records.ts";
import { cancelUnsubscribed, findTargets } from "../../store/repositories/webhook-subscriptions.ts";
import type { Db, Store } from "../../store/store.ts";
import { attemptOutcome } from "./attempt-outcome.ts";
import { DELIVERY_HEADERS } from "./request-headers.ts";
import type { RetrySettings } from "./retry-policy.ts";
import type { PostResult, WebhookTransport } from "./transport.ts";

/** Streams in flight at once. */
const MAX_IN_FLIGHT = 128;
/** The longest sleep: a look now and then costs little and heals any missed signal. */
const MAX_SLEEP_MS = 30_000;
/** After a failure of the store, the next look. */
const RETRY_AFTER_ERROR_MS = 1000;
/** Queued deliveries remembered in all; streams whose backlog does not fit follow the store. */
const MAX_REMEMBERED = 10_000;

interface RememberedStream {
  /** The position of the stream's latest head: a queued delivery at or before it was promoted. */
  headPosition: number;
  queue: DueDelivery[];
}

/** An attempt that ended, waiting to be written. */
interface Finished {
  delivery: Delivery;
  attempt: Attempt;
  /** As written: a retry of a paused account's delivery becomes queued. */
  update: DeliveryUpdate;
  /** The stream's next delivery, already sent on: the store promotes it with this result. */
  successor: DueDelivery | null;
  /** The world it belongs to (see discard): a result of an earlier one is not written. */
  generation: number;
}

/**
 * Wraps each POST: the sandbox's fault rules (domain/sandbox/faults-webhooks.ts) may fail it,
 * delay it or throw its answer away; the attempt is logged with the rule that did.
 */
export interface AttemptInterceptor {
  post(
    delivery: Delivery,
    send: () => Promise<PostResult>,
  ): Promise<{ result: PostResult; faultId: string | null }>;
}

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  transport: WebhookTransport;
  retry: RetrySettings;
  /**
   * How long a node holds the deliveries it sends (real time): another node takes over one whose
   * lease ran out (its node died). Longer than any attempt, with its faults' latency.
   */
  leaseMs: number;
  /** This node's id: its leases carry it, and it releases them when it starts again. */
  node: string;
  /**
   * One node owns the store (SQLite): the deliveries queued behind a stream's head are all handed
   * off by this process, so they are remembered and sent on without asking the store. With
   * several nodes another one may write into a stream: its next delivery is always the store's.
   */
  followStreams: boolean;
  /** The longest sleep between looks: with several nodes, how soon a lost node's work is taken over. */
  maxSleepMs?: number;
  onError: (error: unknown) => void;
  interceptor?: AttemptInterceptor;
  /** Told of each batch of attempts once it is committed (the sandbox's live events). */
  onAttempts?: (
    attempts: readonly { delivery: Delivery; attempt: Attempt; update: DeliveryUpdate }[],
  ) => void;
}

export class WebhookDispatcher {
  readonly #options: DispatcherOptions;
  /** The delivery in flight on each busy stream ("user:chat"). */
  readonly #inFlight = new Map<string, string>();
  /** Deliveries in flight or whose result is not written yet: a look must pass over them. */
  readonly #held = new Set<string>();
  /**
   * The streams followed since they were last empty: their head's event position, and the
   * deliveries queued behind it, in order (all that the store holds there). A stream not here is
   * promoted in the store's order.
   */
  readonly #remembered = new Map<string, RememberedStream>();
  #rememberedCount = 0;
  readonly #finished: Finished[] = [];
  readonly #attempts = new Set<Promise<void>>();
  #flushing: Promise<void> | null = null;
  #lookScheduled = false;
  #looking = false;
  #lookAgain = false;
  /** Set when due work was left in the store for want of a free slot or stream. */
  #lookAfterFlush = false;
  #timer: NodeJS.Timeout | undefined;
  #timerAtMs = Number.POSITIVE_INFINITY;
  /**
   * The earliest wake-up asked for while a look runs (a retry written by a flush meanwhile): the
   * look's own timer, set from what it read before that write, must not drop it.
   */
  #askedDuringLookMs = Number.POSITIVE_INFINITY;
  #stopped = false;
  /**
   * The attempt last written for each recent delivery: a look whose query ran before that write
   * committed (and whose answer is read after it) holds the delivery as it was, and must not send
   * it again. Bounded; the oldest go first (a look's answer is never that old).
   */
  readonly #lastWritten = new Map<string, number>();
  /** Counts discard()s: attempts remember the one they started in. */
  #generation = 0;

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /** Deliveries just committed: heads go out now, the rest are remembered in their order. */
  handOff(deliveries: readonly DueDelivery[]): void {
    if (this.#stopped) return;
    for (const delivery of deliveries) {
      const stream = streamOf(delivery);
      if (delivery.status === "pending") {
        // Its stream was empty when it was written: follow the stream from here.
        this.#forget(stream);
        this.#remembered.set(stream, { headPosition: delivery.position, queue: [] });
        // Refused (its stream still busy in memory, or no free slot): a look will find it.
        if (!this.#start(delivery) && this.#inFlight.size === 0 && !this.#flushing) this.wake();
        continue;
      }
      const followed = this.#remembered.get(stream);
      // Not followed, or promoted from the store already (its hand-off came after its turn).
      if (!this.#options.followStreams || !followed || delivery.position <= followed.headPosition)
        continue;
      const last = followed.queue.at(-1);
      if (this.#rememberedCount >= MAX_REMEMBERED || (last && last.position > delivery.position)) {
        this.#forget(stream);
      } else {
        followed.queue.push(delivery);
        this.#rememberedCount++;
      }
    }
  }

  /** Whether an attempt of this delivery is on its way, or its result not written yet. */
  inFlight(deliveryId: string): boolean {
    return this.#held.has(deliveryId);
  }

  /**
   * The store's queues or subscriptions changed behind the dispatcher's back (a redelivery, an
   * unsubscription, a new URL): forget what is remembered and trust the store.
   */
  resync(): void {
    this.#remembered.clear();
    this.#rememberedCount = 0;
    this.wake();
  }

  /**
   * The store was emptied or replaced (a sandbox reset or import; called before and after its
   * commit): what is remembered, waiting to be written or in flight belongs to a world that is
   * gone. Attempts in flight end, but their results are dropped: written now they would fail, or,
   * under a seeded random source, land on a new delivery that has the same id.
   */
  discard(): void {
    this.#generation++;
    this.#lastWritten.clear();
    for (const { delivery } of this.#finished.splice(0)) this.#held.delete(delivery.id);
    this.#remembered.clear();
    this.#rememberedCount = 0;
    this.wake();
  }

  /** Looks in the store for due work, soon (the calls of one turn make one look). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#looking) {
      this.#lookAgain = true;
      return;
    }
    if (this.#lookScheduled) return;
    this.#lookScheduled = true;
    setImmediate(() => {
      this.#lookScheduled = false;
      void this.#look();
    });
  }

  /** Stops taking work, lets attempts in flight end (2 s at most) and writes their results. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    while (this.#attempts.size > 0) await Promise.allSettled([...this.#attempts]);
    await this.#flushing;
    await this.#flushAll();
    this.#options.transport.close();
  }

  #written(deliveryId: string, attempt: number): void {
    this.#lastWritten.delete(deliveryId);
    this.#lastWritten.set(deliveryId, attempt);
    if (this.#lastWritten.size > MAX_REMEMBERED) {
      const oldest = this.#lastWritten.keys().next();
      if (!oldest.done) this.#lastWritten.delete(oldest.value);
    }
  }

  /** True when this node has written an attempt of the delivery that its row does not show yet. */
  #writtenSince(delivery: Delivery): boolean {
    return (this.#lastWritten.get(delivery.id) ?? 0) > delivery.attempts;
  }

  /** This node's hold on what it takes now. */
  #lease(): Lease {
    return {
      untilMs: this.#options.clock.realNowMs() + this.#options.leaseMs,
      node: this.#options.node,
    };
  }

  /** Starts: what this node held before it stopped (a crash included) goes out now. */
  async start(): Promise<void> {
    await releaseLeases(this.#options.store.db, this.#options.node);
    this.wake();
  }

  /** The stream is promoted in the store's order from now on. */
  #forget(stream: string): void {
    this.#rememberedCount -= this.#remembered.get(stream)?.queue.length ?? 0;
    this.#remembered.delete(stream);
  }

  /** The followed stream's next delivery, taken as its new head. */
  #nextRemembered(stream: string): DueDelivery | undefined {
    const followed = this.#remembered.get(stream);
    const next = followed?.queue.shift();
    if (followed && next) {
      this.#rememberedCount--;
      followed.headPosition = next.position;
    }
    return next;
  }

  /**
   * Sends a due delivery now. If it cannot start (its stream or every slot busy), the store is
   * looked at again after the next flush, and the answer is false.
   */
  #start(delivery: DueDelivery): boolean {
    const stream = streamOf(delivery);
    if (
      this.#stopped ||
      !delivery.target ||
      this.#held.has(delivery.id) ||
      this.#inFlight.has(stream) ||
      this.#inFlight.size >= MAX_IN_FLIGHT
    ) {
      this.#lookAfterFlush = true;
      return false;
    }
    this.#inFlight.set(stream, delivery.id);
    this.#held.add(delivery.id);
    const target = delivery.target;
    const generation = this.#generation;
    const attempt = this.#attempt(delivery, target, generation)
      .then((finished) => {
        this.#inFlight.delete(stream);
        if (generation !== this.#generation) {
          // Of a discarded world: nothing to write, and its stream is free for the new one.
          this.#held.delete(delivery.id);
          this.wake();
          return;
        }
        // Ended for good: the stream's next delivery goes out now, if it is known.
        const next =
          finished.update.status === "pending" || this.#stopped
            ? undefined
            : this.#nextRemembered(stream);
        if (next) {
          const nowMs = this.#options.clock.nowMs();
          finished.successor = {
            ...next,
            status: "pending",
            target,
            windowStartMs: nowMs,
            nextAttemptMs: nowMs,
          };
          this.#start(finished.successor);
        }
        this.#finished.push(finished);
        this.#flushing ??= this.#flushSoon();
      })
      .catch((error: unknown) => {
        // A bug, not a receiver's failure (those are results): the delivery is still pending in
        // the store, so a later look sends it again.
        this.#options.onError(error);
        this.#inFlight.delete(stream);
        this.#held.delete(delivery.id);
        this.#forget(stream);
        this.#wakeAt(this.#options.clock.nowMs() + RETRY_AFTER_ERROR_MS);
      })
      .finally(() => this.#attempts.delete(attempt));
    this.#attempts.add(attempt);
    return true;
  }

  async #attempt(
    delivery: Delivery,
    target: DeliveryTarget,
    generation: number,
  ): Promise<Finished> {
    const { clock, transport, retry, interceptor } = this.#options;
    const startedMs = clock.nowMs();
    const send = () =>
      transport.post({
        url: target.url,
        body: delivery.body,
        headers: DELIVERY_HEADERS,
        signingKey: target.clientSecret,
      });
    const { result, faultId } = interceptor
      ? await interceptor.post(delivery, send)
      : { result: await send(), faultId: null };
    const endedMs = clock.nowMs();
    const attempts = delivery.attempts + 1;
    const attempt: Attempt = {
      deliveryId: delivery.id,
      number: attempts,
      url: target.url,
      startedMs,
      durationMs: result.durationMs,
      statusCode: result.statusCode,
      error: result.error,
      responseExcerpt: result.excerpt,
      faultId,
    };
    const outcome = attemptOutcome({
      result,
      step: delivery.step,
      windowStartMs: delivery.windowStartMs,
      retry,
      nowMs: endedMs,
      random: Math.random,
    });
    if (outcome.kind === "delivered") {
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
        successor: null,
        generation,
      };
    }
    const givesUp = outcome.kind === "failed";
    return {
      delivery,
      attempt,
      update: {
        status: givesUp ? "failed" : "pending",
        attempts,
        step: outcome.step,
        nextAttemptMs: outcome.atMs,
        finishedMs: givesUp ? endedMs : null,
      },
      successor: null,
      generation,
    };
  }

  /** Writes results from the next turn on (the answers of one turn in one transaction). */
  async #flushSoon(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await this.#flushAll();
    } finally {
      this.#flushing = null;
    }
  }

  async #flushAll(): Promise<void> {
    while (this.#finished.length > 0) {
      const batch = this.#finished.splice(0);
      try {
        await this.#flushBatch(batch);
        for (const { delivery, attempt, generation } of batch) {
          // Results of a discarded world were not written (their ids may come again in the new).
          if (generation === this.#generation) this.#written(delivery.id, attempt.number);
        }
      } catch (error) {
        // The batch's deliveries are still pending in the store: a later look sends them again.
        this.#options.onError(error);
        this.#wakeAt(this.#options.clock.nowMs() + RETRY_AFTER_ERROR_MS);
      } finally {
        for (const { delivery } of batch) this.#held.delete(delivery.id);
      }
    }
  }

  /**
   * Logs the attempts and moves their deliveries on, in one transaction. Successors already on
   * their way become their streams' heads first (so that one whose own answer is in this batch
   * is pending for it), then the 200s are recorded in one statement and the rest one by one.
   * Each stream whose head finished for good without a successor sent gets its next delivery
   * promoted, which is sent once this commits.
   */
  async #flushBatch(all: readonly Finished[]): Promise<void> {
    const { store, clock } = this.#options;
    let batch = all;
    const promoted = await store.transaction(async (db) => {
      // Checked when the transaction runs: a reset or import committed before it discarded them.
      batch = all.filter((f) => f.generation === this.#generation);
      // Their streams are decided here (successors, promotions): no send into them meanwhile.
      await lockStreams(
        db,
        batch.map((f) => f.delivery.chatId),
      );
      const nowMs = clock.nowMs();
      await insertAttempts(
        db,
        batch.map((f) => f.attempt),
      );
      const successors = batch.flatMap((f) => (f.successor ? [f.successor.id] : []));
      const headed = await promote(db, successors, nowMs, this.#lease());
      for (const { delivery, successor } of batch) {
        // Not queued any more (cancelled with its stream): what is remembered is stale. Its own
        // answer will find it so and leave it be.
        if (successor && !headed.has(successor.id)) this.#forget(streamOf(delivery));
      }
      const delivered = batch.filter((f) => f.update.status === "delivered");
      const moved = await markDelivered(
        db,
        delivered.map((f) => f.delivery.id),
        nowMs,
      );
      for (const finished of batch) {
        if (finished.update.status === "delivered") continue;
        const written = await updateDelivery(db, finished.delivery.id, finished.update);
        if (written === null) continue;
        moved.add(finished.delivery.id);
        // Its account was paused meanwhile: the retry waits, queued, for the resume.
        if (written !== finished.update.status) {
          finished.update = { ...finished.update, status: written };
        }
      }
      const next: Delivery[] = [];
      for (const { delivery, update, successor } of batch) {
        // A delivery cancelled while in flight did not move: its stream was emptied. One that
        // will be tried again (pending, or queued by a pause) is still its stream's head.
        const unfinished = update.status === "pending" || update.status === "queued";
        if (!moved.has(delivery.id) || unfinished || successor) continue;
        const head = await this.#promoteNext(db, delivery, nowMs);
        if (head) next.push(head);
      }
      const targets = await findTargets(db, [...new Set(next.map((d) => d.userId))]);
      return next.map((d) => ({ ...d, target: targets.get(d.userId) ?? null }));
    });
    this.#options.onAttempts?.(batch);
    for (const { update } of batch) {
      if (update.status === "pending") this.#wakeAt(update.nextAttemptMs);
    }
    for (const head of promoted) {
      // No target: the account unsubscribed meanwhile; a look cancels what is left.
      if (!head.target) this.#lookAfterFlush = true;
      else this.#start(head);
    }
    if (this.#lookAfterFlush) {
      this.#lookAfterFlush = false;
      this.wake();
    }
  }

  /** The stream's next delivery, made its pending head: the remembered one, else the store's. */
  async #promoteNext(db: Db, finished: Delivery, nowMs: number): Promise<Delivery | undefined> {
    const stream = streamOf(finished);
    const remembered = this.#nextRemembered(stream);
    if (remembered) {
      if ((await promote(db, [remembered.id], nowMs, this.#lease())).size > 0) {
        return { ...remembered, status: "pending", nextAttemptMs: nowMs, windowStartMs: nowMs };
      }
      // Not queued any more (cancelled, say): what is remembered cannot be trusted.
      this.#forget(stream);
    }
    const head = await promoteNext(db, finished.userId, finished.chatId, nowMs, this.#lease());
    const followed = this.#remembered.get(stream);
    // Empty: nothing to remember until its next delivery, which will be written pending.
    if (!head) this.#forget(stream);
    // A followed stream whose next hand-off has not come yet (written in this very commit): the
    // hand-off is skipped when it comes, by its position.
    else if (followed) followed.headPosition = head.position;
    return head;
  }

  /** Starts what is due in the store, then sleeps until the next retry falls due. */
  async #look(): Promise<void> {
    if (this.#stopped) return;
    const { store, clock } = this.#options;
    this.#looking = true;
    this.#askedDuringLookMs = Number.POSITIVE_INFINITY;
    // The time the store was last asked for due work. The next wake-up is what falls due after
    // it, not after the time of that question: a retry that fell due in between was not among
    // the due ones, and must not be skipped as "past" either.
    let lookedAtMs = clock.nowMs();
    try {
      do {
        this.#lookAgain = false;
        const free = MAX_IN_FLIGHT - this.#inFlight.size;
        if (free <= 0) {
          this.#lookAfterFlush = true;
          break;
        }
        const nowMs = clock.nowMs();
        lookedAtMs = nowMs;
        // Claimed for this node, its own included: held ones are skipped below. Ask for enough
        // rows to see `free` others past them.
        const due = await claimDue(
          store.db,
          { nowMs, realNowMs: clock.realNowMs() },
          this.#lease(),
          this.#held.size + free,
        );
        const unsubscribed = new Set<number>();
        for (const delivery of due) {
          if (this.#held.has(delivery.id) || this.#writtenSince(delivery)) continue;
          if (!delivery.target) unsubscribed.add(delivery.userId);
          else this.#start(delivery);
        }
        // Nobody to send to (unsubscribed, then redelivered, say): cancelled, not left due.
        for (const userId of unsubscribed) await cancelUnsubscribed(store.db, userId, nowMs);
      } while (this.#lookAgain && !this.#stopped);
      const next = await nextDueAfter(store.db, lookedAtMs);
      this.#wakeAt(Math.min(next ?? Number.POSITIVE_INFINITY, this.#askedDuringLookMs), true);
    } catch (error) {
      this.#options.onError(error);
      const retryMs = clock.nowMs() + RETRY_AFTER_ERROR_MS;
      this.#wakeAt(Math.min(retryMs, this.#askedDuringLookMs), true);
    } finally {
      this.#looking = false;
    }
    if (this.#lookAgain) this.wake();
  }

  /**
   * Looks again at `atMs` on the sandbox clock (30 s at the latest), unless an earlier look is
   * set; `reset` replaces the timer whatever it was (the clock may have moved).
   */
  #wakeAt(atMs: number, reset = false): void {
    if (!reset && this.#looking) this.#askedDuringLookMs = Math.min(this.#askedDuringLookMs, atMs);
    if (this.#stopped || (!reset && atMs >= this.#timerAtMs)) return;
    clearTimeout(this.#timer);
    this.#timerAtMs = atMs;
    const delay = Math.min(
      Math.max(0, atMs - this.#options.clock.nowMs()),
      this.#options.maxSleepMs ?? MAX_SLEEP_MS,
    );
    this.#timer = setTimeout(() => {
      this.#timerAtMs = Number.POSITIVE_INFINITY;
      this.wake();
    }, delay);
    this.#timer.unref();
  }
}

function streamOf(delivery: Delivery): string {
  return `${delivery.userId}:${delivery.chatId}`;
}
