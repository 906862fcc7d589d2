// The fault rules a scenario run turned on for the seller: made by its `fault` steps, removed by
// `clear_faults` and, whatever happens, when the run ends, so that no rule outlives its scenario.
import type { SandboxClient } from "../cli/sandbox-client.ts";
import { faultAction } from "./fault-presets.ts";
import type { FaultStep } from "./model.ts";
import type { Clock, FaultRule } from "./sandbox-shapes.ts";

export class ScenarioFaults {
  readonly #sandbox: SandboxClient;
  readonly #seller: number;
  /** Rules made and not yet removed, by id. */
  readonly #made = new Set<string>();
  /** Steps still asking for a rule: an interrupted step's call may still make one. */
  readonly #pending = new Set<Promise<void>>();

  constructor(sandbox: SandboxClient, seller: number) {
    this.#sandbox = sandbox;
    this.#seller = seller;
  }

  /** Turns on what the step asks for; throws an Error (the sandbox's refusal) when it cannot. */
  async apply(step: FaultStep): Promise<void> {
    const applying = this.#apply(step);
    const settled = applying.catch(() => {});
    this.#pending.add(settled);
    try {
      await applying;
    } finally {
      this.#pending.delete(settled);
    }
  }

  async #apply(step: FaultStep): Promise<void> {
    const now = step.forMs === null ? 0 : (await this.#sandbox.call<Clock>("GET", "/clock")).now;
    const action = faultAction(step, this.#seller, now);
    if (action.kind === "invalid") throw new Error(action.message);
    if (action.kind === "expire_tokens") {
      await this.#sandbox.call("POST", `/accounts/${this.#seller}/tokens/expire`);
      return;
    }
    const rule = await this.#sandbox.call<FaultRule>("POST", "/faults", action.body);
    this.#made.add(rule.id);
  }

  /**
   * Removes every rule this run made and still has; a rule already gone (someone deleted it, the
   * world was reset) is no failure. Returns what could not be removed, in words.
   */
  async clear(): Promise<string[]> {
    const problems: string[] = [];
    await Promise.all([...this.#pending]);
    await Promise.all(
      [...this.#made].map(async (id) => {
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
}
