// What the steps of one buyer run share: the scenario run around it (the sandbox, the seller, the
// world's items, the chat watch, the fault rules) and the buyer's own state (its account and
// chat, its variables, its last action and which seller messages earlier expects consumed).
import type { SandboxClient } from "../cli/sandbox-client.ts";
import type { ChatLog, ChatWatch } from "./chat-watch.ts";
import type { Scenario } from "./model.ts";
import type { StepFailure } from "./report.ts";
import type { ScenarioFaults } from "./scenario-faults.ts";
import type { WorldItem } from "./world-setup.ts";

/** One scenario run, as its buyer runs see it. */
export interface RunningScenario {
  scenario: Scenario;
  sandbox: SandboxClient;
  seller: number;
  items: ReadonlyMap<string, WorldItem>;
  watch: ChatWatch;
  faults: ScenarioFaults;
  /** The time limit of an expect without its own nor the file's `timeout`, ms. */
  defaultTimeoutMs: number;
  readFile(path: string): Promise<Uint8Array>;
  signal: AbortSignal;
}

/** The buyer's last say, send or delete: what expected replies come after. */
export interface BuyerAction {
  messageId: string;
  /** A delete: the seller's replies count from the message's deletion, not its sending. */
  deleted: boolean;
  /** performance.now() when the sandbox answered it (reply times count from here). */
  at: number;
}

export interface BuyerState {
  buyerId: number;
  chatId: string;
  chat: ChatLog;
  /** Built-in and captured variables, for {{…}}. */
  variables: Record<string, string>;
  /** The variables steps captured (the report's). */
  captured: Record<string, string>;
  /** The buyer's messages not deleted, oldest first, with their sandbox time (unix seconds). */
  sent: { id: string; created: number }[];
  lastAction: BuyerAction | null;
  /**
   * The seq (ChatLog) of the last seller message an expect consumed; -1 for none. A seq stays
   * what it was when the log takes in messages the stream missed (ChatLog.merge).
   */
  consumedSeq: number;
}

/** A step that did not hold: what the report says about it. */
export class StepFailed extends Error {
  readonly failure: StepFailure;
  /** A `reply`/`replies` expectation that too few replies met by its time limit. */
  readonly timedOut: boolean;

  constructor(failure: StepFailure, timedOut = false) {
    super(failure.message);
    this.failure = failure;
    this.timedOut = timedOut;
  }
}

/** The reply expectations of a scenario run so far: the met ones' times and those timed out. */
export interface ReplyTally {
  /** ms from the buyer's last action to the (first) reply, for each met one. */
  times: number[];
  timedOut: number;
}
