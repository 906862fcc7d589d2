// A scenario file's data as the YAML gives it once it passes scenario.schema.json: the shapes the
// normaliser reads (keys as written, durations unparsed). The rules of scenario-rules.ts read the
// same data before it is known to be valid, so they check each value's type as they go.
import type { FaultPreset } from "./model.ts";

/** A duration as written: "500ms", "1h30m", or a number of seconds. */
export type DurationValue = string | number;

export interface ScenarioFile {
  name: string;
  description?: string;
  tags?: string[];
  timeout?: DurationValue;
  world?: WorldFile;
  repeat?: number;
  concurrency?: number;
  buyers: BuyerFile[];
}

export interface WorldFile {
  fixture?: string | Record<string, unknown>;
  seller?: number;
  items?: Record<string, ItemFile>;
}

export interface ItemFile {
  title?: string;
  price?: string;
  status?: "active" | "removed";
  address?: string;
  item_id?: number;
}

export interface BuyerFile {
  name: string;
  item?: string;
  steps: StepFile[];
}

export type SendFile =
  | { image: string }
  | { voice: string }
  | { location: { lat: number; lon: number; title?: string } }
  | { item: string }
  | { link: string; text?: string };

export interface ReplyMatcherFile {
  text?: string;
  contains?: string | string[];
  matches?: string;
  type?: string;
}

export type ExpectFile = { within?: DurationValue } & (
  | { reply: ReplyMatcherFile; capture?: Record<string, string> }
  | { replies: number }
  | { no_reply: true }
  | { read: true }
  | { blacklisted: true }
  | { delivered: true }
);

export interface FaultRuleFile {
  preset?: FaultPreset;
  operation?: string;
  status?: number;
  latency_ms?: number;
  drop?: "before" | "after";
  retry_after?: number;
  times?: number;
  probability?: number;
  for?: DurationValue;
}

export type StepFile = { name?: string } & (
  | { say: string }
  | { send: SendFile }
  | { read: true }
  | { delete: string }
  | { wait: DurationValue }
  | { advance: DurationValue }
  | { expect: ExpectFile }
  | { fault: FaultPreset | FaultRuleFile }
  | { clear_faults: true }
);

/** The action keys of a step, in the order the schema lists them. */
export const STEP_ACTIONS = [
  "say",
  "send",
  "read",
  "delete",
  "wait",
  "advance",
  "expect",
  "fault",
  "clear_faults",
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export const EXPECT_KINDS = [
  "reply",
  "replies",
  "no_reply",
  "read",
  "blacklisted",
  "delivered",
] as const;

export const SEND_KINDS = ["image", "voice", "location", "item", "link"] as const;

/** The most buyer runs one scenario may make (repeat × buyers). */
export const MAX_BUYER_RUNS = 10_000;
/** The longest `wait`: longer waits are what `advance` is for. */
export const MAX_WAIT_MS = 600_000;
/** The longest time limit (`timeout`, `within`): a bot that needs longer has not answered. */
export const MAX_TIME_LIMIT_MS = 3_600_000;
/** The longest `for` of a fault: a scenario is over long before. */
export const MAX_FAULT_FOR_MS = 86_400_000;
/** The furthest one `advance` may move the clock (POST /sandbox/v1/clock's limit), seconds. */
export const MAX_ADVANCE_SECONDS = 315_360_000;

/** A map of the YAML (not a list, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The step's action key when it has exactly one known one (besides `name`), else null. */
export function stepAction(step: unknown): StepAction | null {
  if (!isRecord(step)) return null;
  const actions = Object.keys(step).filter((key) => key !== "name");
  const [action] = actions;
  return actions.length === 1 && (STEP_ACTIONS as readonly string[]).includes(action ?? "")
    ? (action as StepAction)
    : null;
}
