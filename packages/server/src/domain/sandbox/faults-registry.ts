// The fault rules in memory: a snapshot of the store's, read by every request that may match
// (with no rule, a request costs one Set lookup). The store stays the truth: rules are written
// there first and then added here, and the counts each match changes are written back soon after
// (one transaction per turn; the listing waits for it). The operations requests can be matched by
// are told here by the HTTP layer as its routes are made. Delays injected by rules sleep here, so
// that closing the server cuts them short.
import { setTimeout as sleep } from "node:timers/promises";
import {
  countLimitedRule,
  listFaultRules,
  updateFaultCounts,
} from "../../store/repositories/faults.ts";
import type { Store } from "../../store/store.ts";
import { decide, drawOf, type FaultTarget, matches } from "./faults-firing.ts";
import {
  ANY_OPERATION,
  type FaultOperation,
  type FaultRule,
  isSpent,
  ruleOf,
  WEBHOOK_OPERATION,
} from "./faults-rules.ts";

export class FaultRegistry {
  readonly #store: Store;
  readonly #onError: (error: unknown) => void;
  /** Oldest first: the first that fires acts, the others are not consulted. */
  #rules: FaultRule[] = [];
  /** The operations the rules name ("*" included): the fast path's whole test. */
  #named = new Set<string>();
  readonly #operations = new Map<string, FaultOperation>([
    [WEBHOOK_OPERATION, { operationId: WEBHOOK_OPERATION, takesChat: true }],
  ]);
  readonly #dirty = new Set<FaultRule>();
  /** Each rule's counts as the store has them from this node: what a flush adds is the rest. */
  readonly #written = new WeakMap<FaultRule, { fired: number; matched: number }>();
  #flushing: Promise<void> | null = null;
  readonly #closing = new AbortController();

  constructor(store: Store, onError: (error: unknown) => void) {
    this.#store = store;
    this.#onError = onError;
  }

  /** Reads the store's rules (at start-up, or after the store changed under the snapshot). */
  async load(): Promise<void> {
    // Counts not written yet go first, so that what is read back holds them.
    await this.flush();
    this.#replace((await listFaultRules(this.#store.db)).map(ruleOf));
  }

  /** An operation requests can be matched by (told by the HTTP layer for each of its routes). */
  addOperation(operation: FaultOperation): void {
    this.#operations.set(operation.operationId, operation);
  }

  get operations(): ReadonlyMap<string, FaultOperation> {
    return this.#operations;
  }

  /** False when no rule can match the operation: the request goes on untouched. */
  mayMatch(operation: string): boolean {
    if (this.#named.size === 0) return false;
    return (
      this.#named.has(operation) ||
      (operation !== WEBHOOK_OPERATION && this.#named.has(ANY_OPERATION))
    );
  }

  /** True when a rule of the operation names an account (the caller may have to look it up). */
  wantsAccount(operation: string): boolean {
    return this.#rules.some(
      (r) => r.userId !== null && (r.operation === operation || r.operation === ANY_OPERATION),
    );
  }

  /** The rule that acts on this request, counted; null when none fires. */
  async pick(target: FaultTarget, now: number): Promise<FaultRule | null> {
    for (const rule of this.#rules) {
      if (!matches(rule, target)) continue;
      const fires =
        this.#store.signals !== null && rule.times !== null
          ? await this.#decideShared(rule, now)
          : this.#decideHere(rule, now);
      if (fires) return rule;
    }
    return null;
  }

  /** Decides in memory; the counts go to the store soon after (as increments). */
  #decideHere(rule: FaultRule, now: number): boolean {
    const matchedBefore = rule.matched;
    const fires = decide(rule, now);
    if (rule.matched !== matchedBefore) this.#markDirty(rule);
    return fires;
  }

  /**
   * With several nodes, a rule limited to `times` is counted in the store as it is met, so that
   * it fires `times` times in all rather than on each node: the store's count of matches numbers
   * the draw, and a firing is taken only while the store says the rule is not spent.
   */
  async #decideShared(rule: FaultRule, now: number): Promise<boolean> {
    if (isSpent(rule, now)) return false;
    const matched = await countLimitedRule(this.#store.db, rule.key, "matched");
    if (matched === null) {
      // Spent by another node's firings.
      rule.fired = Math.max(rule.fired, rule.times ?? 0);
      return false;
    }
    rule.matched = Math.max(rule.matched, matched);
    const draw = matched - 1;
    if (rule.probability !== null && drawOf(rule.seed, draw) >= rule.probability) {
      this.#written.set(rule, { fired: rule.fired, matched: rule.matched });
      return false;
    }
    const fired = await countLimitedRule(this.#store.db, rule.key, "fired");
    rule.fired = fired ?? Math.max(rule.fired, rule.times ?? 0);
    this.#written.set(rule, { fired: rule.fired, matched: rule.matched });
    return fired !== null;
  }

  add(rule: FaultRule): void {
    this.#replace([...this.#rules, rule].sort((a, b) => a.key - b.key));
  }

  remove(key: number): void {
    this.#replace(this.#rules.filter((r) => r.key !== key));
  }

  clear(): void {
    this.#replace([]);
  }

  /** Sleeps `ms`, or less if the server closes meanwhile. */
  async delay(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.#closing.signal });
    } catch {
      // Aborted: the server is closing; what follows runs at once.
    }
  }

  /** Cuts every delay short, now and from now on: the server is closing. */
  close(): void {
    this.#closing.abort();
  }

  /** Writes every count changed so far to the store. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#dirty.size === 0) return;
    this.#flushing = this.#write().finally(() => {
      this.#flushing = null;
    });
    await this.#flushing;
  }

  #replace(rules: FaultRule[]): void {
    for (const rule of rules) {
      if (!this.#written.has(rule))
        this.#written.set(rule, { fired: rule.fired, matched: rule.matched });
    }
    this.#rules = rules;
    this.#named = new Set(rules.map((r) => r.operation));
  }

  #markDirty(rule: FaultRule): void {
    const first = this.#dirty.size === 0;
    this.#dirty.add(rule);
    if (first && !this.#flushing) setImmediate(() => void this.flush().catch(this.#onError));
  }

  async #write(): Promise<void> {
    const rules = [...this.#dirty];
    this.#dirty.clear();
    // Values read now, when the transaction is built: a later match marks the rule dirty again.
    // Written as increments, so that the counts of nodes sharing a store add up.
    const counts = rules.map((r) => {
      const written = this.#written.get(r) ?? { fired: 0, matched: 0 };
      return { id: r.key, fired: r.fired - written.fired, matched: r.matched - written.matched };
    });
    const before = rules.map((r) => this.#written.get(r));
    rules.forEach((r) => {
      this.#written.set(r, { fired: r.fired, matched: r.matched });
    });
    try {
      await this.#store.transaction((db) => updateFaultCounts(db, counts));
    } catch (error) {
      rules.forEach((r, i) => {
        const previous = before[i];
        if (previous) this.#written.set(r, previous);
        else this.#written.delete(r);
        this.#dirty.add(r);
      });
      throw error;
    }
    // Matches during the write: their counts go out next turn.
    if (this.#dirty.size > 0) setImmediate(() => void this.flush().catch(this.#onError));
  }
}
