// A scenario as the runner uses it: the YAML file (scenario.schema.json) checked and normalised
// by parse-scenario.ts. Durations are milliseconds, defaults are filled in, names of items and
// variables are known to exist. Nothing here reads a file or talks to a server.

/** Where a step or a problem is in its file: 1-based line and column. */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface Scenario {
  name: string;
  description: string | null;
  /** The file it came from, as given to the runner ("<request>" through the API). */
  file: string;
  /** Where `name:` is: the line a report points at for the scenario as a whole. */
  position: SourcePosition;
  tags: string[];
  /** The default time limit of an `expect`, ms (the file's `timeout`, else the runner's). */
  timeoutMs: number | null;
  world: ScenarioWorld;
  buyers: BuyerScript[];
  /** Each buyer's script is run this many times, each run by a new buyer account. */
  repeat: number;
  /** At most this many buyer runs at once (a load test when > 1). */
  concurrency: number;
}

export interface ScenarioWorld {
  /**
   * A fixture document (beseda-fixture v1) that replaces the world before the scenario: the path
   * as written (relative to the scenario file), or the document itself (the API takes only this).
   */
  fixture: { path: string } | { document: Record<string, unknown> } | null;
  /**
   * The bot's account in the fixture (its user_id). Without a fixture the runner's bot account
   * is the seller and this is null.
   */
  seller: number | null;
  /** Items the scenario creates on the seller's account, by the key steps name them with. */
  items: ScenarioItem[];
}

export interface ScenarioItem {
  key: string;
  title: string;
  priceString: string | null;
  /** "active" (status_id 10) or "removed" (20: deleted from Avito, still in old chats). */
  status: "active" | "removed";
  address: string | null;
  /** In a fixture world: an item that exists in it, by id, instead of a new one. */
  itemId: number | null;
}

export interface BuyerScript {
  /** The buyer's display name; a run's index is appended when the script repeats. */
  name: string;
  /** The item the buyer writes about (a u2i chat), by key; null: a u2u chat with the seller. */
  item: string | null;
  position: SourcePosition;
  steps: Step[];
}

interface StepBase {
  /** What the report calls the step: its `name:`, else a short rendering of the step. */
  title: string;
  position: SourcePosition;
}

/** Text with {{variables}}: kept as written, filled in when the step runs. */
export type Template = string;

export type Step =
  | (StepBase & { kind: "say"; text: Template })
  | (StepBase & { kind: "send"; content: SendContent })
  | (StepBase & { kind: "read" })
  | (StepBase & { kind: "delete"; target: "last" | { variable: string } })
  | (StepBase & { kind: "wait"; ms: number })
  | (StepBase & { kind: "advance"; seconds: number })
  | (StepBase & { kind: "expect"; expectation: Expectation; withinMs: number | null })
  | (StepBase & { kind: "fault"; fault: FaultStep })
  | (StepBase & { kind: "clear_faults" });

export type SendContent =
  /** A file path relative to the scenario, or "sample": a real PNG Beseda makes. */
  | { type: "image"; source: "sample" | { path: string } }
  /** A file path relative to the scenario (Opus in MP4), or "sample": one Beseda ships. */
  | { type: "voice"; source: "sample" | { path: string } }
  | { type: "location"; lat: number; lon: number; title: Template | null }
  /** A link to an item of the world (its key), sent as an item message. */
  | { type: "item"; item: string }
  | { type: "link"; url: Template; text: Template | null };

/** How one reply is checked; every given part must hold. */
export interface ReplyMatcher {
  /** The whole text, equal after {{variables}} are filled in. */
  text: Template | null;
  /** Each must be in the text (case-sensitive). */
  contains: Template[];
  /** A regular expression (JavaScript syntax) the text must match; named groups are captured. */
  matches: { source: string; flags: string } | null;
  /** The message type: text, image, voice, location, link, item, … */
  type: string | null;
}

export type Expectation =
  /**
   * The next message from the seller's side (after the buyer's last action) matches. `capture`:
   * variable → the regex (as `matches` is) whose group 1, or whole match, it gets from the text.
   */
  | {
      kind: "reply";
      matcher: ReplyMatcher;
      capture: Record<string, { source: string; flags: string }>;
    }
  /** At least this many messages from the seller's side after the buyer's last action. */
  | { kind: "replies"; count: number }
  /** Nothing from the seller's side for the whole time limit. */
  | { kind: "no_reply" }
  /** The seller marked the chat read after the buyer's last message. */
  | { kind: "read" }
  /** The seller blacklisted the buyer. */
  | { kind: "blacklisted" }
  /** The webhook of the buyer's last message to the seller was delivered (answered 2xx). */
  | { kind: "delivered" };

export type FaultPreset = "rate_limit_storm" | "token_expired" | "webhooks_failing" | "api_down";

export interface FaultStep {
  /** A named fault; its rule's fields below override the preset's. */
  preset: FaultPreset | null;
  /** A fault rule of POST /sandbox/v1/faults, for the seller's account (user_id is set). */
  rule: {
    operation: string | null;
    status: number | null;
    latencyMs: number | null;
    drop: "before" | "after" | null;
    retryAfter: number | null;
    times: number | null;
    probability: number | null;
  };
  /** The rule ends this long after it starts (sandbox time); null: at the scenario's end. */
  forMs: number | null;
}

/** The default time limit of an expectation when neither the step nor the file gives one. */
export const DEFAULT_EXPECT_TIMEOUT_MS = 10_000;
/** How long `no_reply` watches when no time limit is given. */
export const DEFAULT_NO_REPLY_MS = 2_000;

/** One thing wrong with a scenario file, where it is: found before anything runs. */
export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  /** The JSON path of the value in the file ("buyers[0].steps[2].expect"), "" for the file. */
  path: string;
  message: string;
}
