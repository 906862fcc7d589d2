// What a scenario run reports: each buyer run's steps with their outcome, the failure's expected
// and actual messages and the conversation so far, and reply times. The CLI prints it, writes it
// as JUnit XML or JSON, and the sandbox API serves it (ScenarioReport in sandbox.json).
import type { SourcePosition } from "./model.ts";

export type Outcome = "passed" | "failed" | "skipped";

/** One message of a conversation as a report shows it. */
export interface ConversationLine {
  message_id: string;
  /** "buyer" or "seller": whose side wrote it. */
  side: "buyer" | "seller";
  author_id: number;
  type: string;
  /** The text, or a one-line rendering of other content ("[image 1280x960]"). */
  text: string;
  /** Unix seconds of the sandbox clock. */
  created: number;
}

export interface StepFailure {
  /** One line: what went wrong. */
  message: string;
  /** What the step expected, as a person reads it. */
  expected: string | null;
  /** What it got instead (the reply's text, "no reply within 5s", the server's refusal). */
  actual: string | null;
}

export interface StepReport {
  index: number;
  title: string;
  kind: string;
  position: SourcePosition;
  outcome: Outcome;
  /** Real time the step took, ms. */
  duration_ms: number;
  /** For a met `expect` of a reply: ms from the buyer's last action to the reply. */
  reply_ms: number | null;
  failure: StepFailure | null;
}

export interface BuyerRunReport {
  buyer: string;
  /** 0-based run of the buyer's script (repeat). */
  run: number;
  buyer_id: number | null;
  chat_id: string | null;
  outcome: Outcome;
  duration_ms: number;
  steps: StepReport[];
  /** The chat as it stood when the run ended (all of it when it failed, else empty). */
  conversation: ConversationLine[];
  /** Variables captured by the run. */
  variables: Record<string, string>;
}

export interface ReplyTimes {
  count: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface ScenarioReport {
  name: string;
  file: string;
  position: SourcePosition;
  outcome: Outcome;
  /** Set when the scenario could not start (its world, the bot's account): nothing ran. */
  error: string | null;
  started_at: string;
  duration_ms: number;
  seller_id: number | null;
  buyers: BuyerRunReport[];
  /** Over every met reply expectation of every buyer run; null when none. */
  reply_times: ReplyTimes | null;
}

/** What a runner hears while a scenario runs: enough to print it live or show it in the console. */
export interface ScenarioObserver {
  scenarioStarted?(report: ScenarioReport): void;
  buyerStarted?(buyer: BuyerRunReport): void;
  stepEnded?(buyer: BuyerRunReport, step: StepReport): void;
  buyerEnded?(buyer: BuyerRunReport): void;
  scenarioEnded?(report: ScenarioReport): void;
}
