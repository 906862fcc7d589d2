// The fault rules a scenario run turned on for the seller: made by its buyer runs' `fault` steps,
// removed by a buyer run's `clear_faults` (its own rules only: buyers run side by side, and one's
// clear must not end another's storm) and, whatever happens, all of them when the scenario ends,
// so that no rule outlives its scenario.
import type { SandboxClient } from "../cli/sandbox-client.ts";
import { faultAction } from "./fault-presets.ts";
import type { FaultStep } from "./model.ts";
import type { Clock, FaultRule } from "./sandbox-shapes.ts";

/** Who made a rule: a buyer run, by any object that stands for it (its state). */
export type FaultOwner = object;

/** A rule in a few words: "fault-3 (429 on *)". */
export function describeRule(rule: FaultRule): string {
  const effects = [
    rule.latency_ms === null ? null : `+${rule.latency_ms}ms`,
    rule.status === null ? null : String(rule.status),
    rule.drop === null ? null : `drop ${rule.drop}`,
  ].filter((effect) => effect !== null);
  return `${rule.id} (${effects.join(", ") || "no effect"} on ${rule.operation})`;
}

export class ScenarioFaults {
  readonly #sandbox: SandboxClient;
  readonly #seller: number;
  /** Rules made and not yet removed: id → the buyer run that made it. */
  readonly #made = new Map<string, FaultOwner>();
  /** Steps still asking for a rule (an interrupted step's call may still make one), by run. */
  readonly #pending = new Map<Promise<void>, FaultOwner>();

  constructor(sandbox: SandboxClient, seller: number) {
    this.#sandbox = sandbox;
    this.#seller = seller;
  }

  /** Turns on what the step asks for; throws an Error (the sandbox's refusal) when it cannot. */
  async apply(step: FaultStep, owner: FaultOwner): Promise<void> {
    const applying = this.#apply(step, owner);
    const settled = applying.catch(() => {});
    this.#pending.set(settled, owner);
    try {
      await applying;
    } finally {
      this.#pending.delete(settled);
    }
  }

  async #apply(step: FaultStep, owner: FaultOwner): Promise<void> {
    // `for` ends on the sandbox's clock, which a scenario may have moved: the rule's `until` is
    // counted from its now.
    const now = step.forMs === null ? 0 : (await this.#sandbox.call<Clock>("GET", "/clock")).now;
    const action = faultAction(step, this.#seller, now);
    if (action.kind === "invalid") throw new Error(action.message);
    if (action.kind === "expire_tokens") {
      await this.#sandbox.call("POST", `/accounts/${this.#seller}/tokens/expire`);
      return;
    }
    const rule = await this.#sandbox.call<FaultRule>("POST", "/faults", action.body);
    this.#made.set(rule.id, owner);
  }

  /**
   * Removes the rules `owner` made and still has, or (no owner: the scenario's end) every rule of
   * the run; a rule already gone (someone deleted it, the world was reset) is no failure.
   * Returns what could not be removed, in words.
   */
  async clear(owner?: FaultOwner): Promise<string[]> {
    const ours = (of: FaultOwner) => owner === undefined || of === owner;
    await Promise.all([...this.#pending].filter(([, of]) => ours(of)).map(([pending]) => pending));
    const problems: string[] = [];
    const ids = [...this.#made].filter(([, of]) => ours(of)).map(([id]) => id);
    await Promise.all(
      ids.map(async (id) => {
        try {
          await this.#sandbox.call("DELETE", `/faults/${encodeURIComponent(id)}`);
        } catch (error) {
          if (!/answered 404/.test((error as Error).message)) {
            problems.push(`fault rule ${id} was not removed: ${(error as Error).message}`);
            return;
          }
        }
        this.#made.delete(id);
      }),
    );
    return problems;
  }

  /** The run's rules (of every buyer run) that acted on something so far, as the sandbox has them. */
  async fired(): Promise<FaultRule[]> {
    if (this.#made.size === 0) return [];
    const { faults } = await this.#sandbox.call<{ faults: FaultRule[] }>("GET", "/faults");
    return faults.filter((rule) => this.#made.has(rule.id) && rule.fired > 0);
  }
}
