// What happens in the sandbox, as it happens: each committed message (new or deleted), chat read,
// webhook delivery attempt, clock move and world replacement, for GET /sandbox/v1/events (server-
// sent events) and the console. Events are published after their transaction commits, so a
// watcher never sees what was rolled back.
//
// Ids are "<run>.<n>": n counts up, run names this start of the process. A watcher that
// reconnects with the id it saw last gets what it missed from the last 1,000 events; one whose id
// is of another run, or too old, is told to "resync" (fetch the state again). With no watcher,
// nothing is built or kept, so a send pays one check; for a minute after the last watcher leaves,
// events are still kept, for its reconnection.
//
// With several nodes on one store, a watcher is connected to one of them: the messages, reads and
// attempts made on the others are relayed to it (domain/cluster/cluster-sync.ts). The clock's and
// the world's events are not relayed: each node publishes its own when it follows the change.
import type { Message } from "../../store/records.ts";
import type { DeliveryUpdate } from "../../store/repositories/webhook-queue.ts";
import type {
  Attempt,
  Delivery,
  DeliveryStatus,
} from "../../store/repositories/webhook-records.ts";
import type { DomainContext } from "../context.ts";
import { type SandboxMessage, sandboxMessage } from "./world-overview.ts";

export type LiveEvent =
  | { type: "message"; message: SandboxMessage }
  | { type: "chat_read"; chat_id: string; user_id: number; at: number }
  | {
      type: "delivery";
      delivery_id: string;
      user_id: number;
      chat_id: string;
      message_id: string;
      attempt: number;
      url: string;
      status: number | null;
      error: string | null;
      duration_ms: number;
      fault: string | null;
      /**
       * Where the delivery stands after it: delivered, pending (a retry is due), failed, or queued
       * (a retry that waits for its account's deliveries to be resumed).
       */
      outcome: DeliveryStatus;
    }
  | { type: "clock"; now: number; offset_seconds: number }
  /** The whole world was replaced (reset, import): everything a watcher holds is stale. */
  | { type: "world" };

export interface StampedEvent {
  id: string;
  event: LiveEvent;
}

type Watcher = (stamped: StampedEvent) => void;

const KEPT_EVENTS = 1000;
const KEPT_AFTER_LAST_WATCHER_MS = 60_000;

export class LiveEvents {
  readonly #run: string;
  readonly #nowMs: () => number;
  readonly #watchers = new Set<Watcher>();
  #kept: StampedEvent[] = [];
  #next = 1;
  #lastWatcherLeftMs = Number.NEGATIVE_INFINITY;
  #relay: { send: (event: LiveEvent) => void; wanted: () => boolean } | null = null;

  /** `run`: different on every start of the process (ids of another run are unknown here). */
  constructor(run: string, nowMs: () => number) {
    this.#run = run;
    this.#nowMs = nowMs;
  }

  /** Whether anyone may want events now, here or on another node: publishers skip building them otherwise. */
  get watched(): boolean {
    return this.watchedHere || (this.#relay?.wanted() ?? false);
  }

  /** Whether a watcher of this node may want events now (one is connected, or may reconnect). */
  get watchedHere(): boolean {
    return (
      this.#watchers.size > 0 ||
      this.#nowMs() - this.#lastWatcherLeftMs < KEPT_AFTER_LAST_WATCHER_MS
    );
  }

  /**
   * With several nodes: the events made here also go to `send` while `wanted` (a watcher is
   * connected to another node), except the clock's and the world's.
   */
  relayTo(send: (event: LiveEvent) => void, wanted: () => boolean): void {
    this.#relay = { send, wanted };
  }

  publish(event: LiveEvent): void {
    if (this.#relay?.wanted() && event.type !== "clock" && event.type !== "world") {
      this.#relay.send(event);
    }
    this.receive(event);
  }

  /** An event for this node's watchers only: made here, or relayed from another node. */
  receive(event: LiveEvent): void {
    if (!this.watchedHere) {
      this.#kept = [];
      return;
    }
    const stamped = { id: `${this.#run}.${this.#next++}`, event };
    this.#kept.push(stamped);
    if (this.#kept.length > KEPT_EVENTS) this.#kept.splice(0, this.#kept.length - KEPT_EVENTS);
    for (const watcher of this.#watchers) watcher(stamped);
  }

  /**
   * Starts watching. `lastId`: the id the watcher saw last, if it reconnects. Answers what it
   * missed, or "resync" when that cannot be told (another run, or older than what is kept).
   */
  watch(
    watcher: Watcher,
    lastId: string | null,
  ): { missed: StampedEvent[] | "resync"; stop: () => void } {
    const missed = lastId === null ? [] : this.#after(lastId);
    this.#watchers.add(watcher);
    return {
      missed,
      stop: () => {
        if (this.#watchers.delete(watcher) && this.#watchers.size === 0) {
          this.#lastWatcherLeftMs = this.#nowMs();
        }
      },
    };
  }

  #after(lastId: string): StampedEvent[] | "resync" {
    const [run, counter] = lastId.split(".");
    const seen = Number(counter);
    if (run !== this.#run || !Number.isSafeInteger(seen) || seen >= this.#next) return "resync";
    const counterOf = (stamped: StampedEvent) => Number(stamped.id.split(".")[1]);
    const oldest = this.#kept[0];
    if (seen + 1 < (oldest ? counterOf(oldest) : this.#next)) return "resync";
    return this.#kept.filter((stamped) => counterOf(stamped) > seen);
  }
}

/** Committed messages (new, or deleted), as the sandbox shows them. */
export function publishMessages(ctx: DomainContext, messages: readonly Message[]): void {
  if (!ctx.live.watched) return;
  for (const message of messages) {
    ctx.live.publish({ type: "message", message: sandboxMessage(ctx, message) });
  }
}

/** Committed webhook delivery attempts. */
export function publishAttempts(
  live: LiveEvents,
  attempts: readonly { delivery: Delivery; attempt: Attempt; update: DeliveryUpdate }[],
): void {
  if (!live.watched) return;
  for (const { delivery, attempt, update } of attempts) {
    live.publish({
      type: "delivery",
      delivery_id: delivery.id,
      user_id: delivery.userId,
      chat_id: delivery.chatId,
      message_id: delivery.messageId,
      attempt: attempt.number,
      url: attempt.url,
      status: attempt.statusCode,
      error: attempt.error,
      duration_ms: attempt.durationMs,
      fault: attempt.faultId ?? null,
      outcome: update.status,
    });
  }
}
