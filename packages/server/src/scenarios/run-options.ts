// What runScenario (run-scenario.ts) is given by whoever runs it: `beseda test` (cli/test-command)
// or the sandbox API's POST /sandbox/v1/scenarios/run. The engine talks to Beseda only through
// the sandbox API over HTTP (SandboxClient), as a user's own tooling would.
import type { SandboxClient } from "../cli/sandbox-client.ts";
import type { ScenarioObserver } from "./report.ts";

export interface ScenarioRunOptions {
  /** The sandbox API of the Beseda the bot talks to. */
  sandbox: SandboxClient;
  /**
   * The bot's account, ready to be written to: called once the world is in place (after a
   * fixture's import, with the fixture's `seller`; else with null for the runner's own bot
   * account). It resolves to the seller's user_id once the bot can hear it (its webhook
   * subscribed), or throws an Error whose message says why not; the scenario then fails
   * without running a step.
   */
  seller(fixtureSeller: number | null): Promise<number>;
  /**
   * The bytes of a file a scenario names (an image, a voice, a fixture), by the path as written:
   * relative to the scenario file. Throws with a message when it cannot be read (the API has no
   * files: it throws "files cannot be named through the API; use sample").
   */
  readFile(path: string): Promise<Uint8Array>;
  /** The time limit of an expect that gives none, when the file gives no `timeout` either. */
  defaultTimeoutMs: number;
  /**
   * Aborts the run: steps in progress end as failed, the rest are skipped. The failure says
   * "interrupted", or the abort's reason when that is an Error (`controller.abort(new Error("the
   * bot exited (code 3)"))`): what the runner knows happened instead.
   */
  signal: AbortSignal;
  /**
   * Real time, ms since the epoch: the report's `started_at`. The CLI passes `realNowMs` of
   * src/clock.ts, the server its clock's; never the sandbox clock, which a scenario may move.
   */
  now(): number;
  observer?: ScenarioObserver;
}
