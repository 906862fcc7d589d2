// A valid scenario file's data made into the Scenario the engine runs (model.ts): defaults filled
// in, durations in ms, the item map a list, each step a tagged object with its title and place.
import { parseDurationMs } from "./duration.ts";
import {
  type BuyerScript,
  DEFAULT_NO_REPLY_MS,
  type Expectation,
  type FaultPreset,
  type FaultStep,
  type Scenario,
  type ScenarioItem,
  type SendContent,
  type Step,
} from "./model.ts";
import { regexText } from "./regex-text.ts";
import type {
  BuyerFile,
  DurationValue,
  ExpectFile,
  FaultRuleFile,
  ScenarioFile,
  SendFile,
  StepFile,
} from "./scenario-file.ts";
import { stepTitle } from "./step-title.ts";
import type { YamlPositions } from "./yaml-positions.ts";

/** `data` has passed the schema and the rules: nothing here checks it again. */
export function normaliseScenario(
  data: ScenarioFile,
  file: string,
  positions: YamlPositions,
): Scenario {
  const world = data.world ?? {};
  const fixture = world.fixture;
  return {
    name: data.name,
    description: data.description ?? null,
    file,
    position: positions.keyAt(["name"]),
    tags: data.tags ?? [],
    timeoutMs: data.timeout === undefined ? null : ms(data.timeout),
    world: {
      fixture:
        fixture === undefined
          ? null
          : typeof fixture === "string"
            ? { path: fixture }
            : { document: fixture },
      seller: world.seller ?? null,
      items: Object.entries(world.items ?? {}).map(
        ([key, item]): ScenarioItem => ({
          key,
          // An item of the fixture (item_id) may leave its title to the fixture.
          title: item.title ?? "",
          priceString: item.price ?? null,
          status: item.status ?? "active",
          address: item.address ?? null,
          itemId: item.item_id ?? null,
        }),
      ),
    },
    buyers: data.buyers.map((buyer, index) => buyerScript(buyer, index, positions)),
    repeat: data.repeat ?? 1,
    // By default one repetition's buyers all write at once, as buyers do.
    concurrency: data.concurrency ?? data.buyers.length,
  };
}

function buyerScript(buyer: BuyerFile, index: number, positions: YamlPositions): BuyerScript {
  return {
    name: buyer.name,
    item: buyer.item ?? null,
    position: positions.valueAt(["buyers", index]),
    steps: buyer.steps.map((step, stepIndex) => ({
      ...stepBody(step),
      title: stepTitle(step),
      position: positions.valueAt(["buyers", index, "steps", stepIndex]),
    })) as Step[],
  };
}

/** A step without its title and position. */
type StepBody = Step extends infer S
  ? S extends Step
    ? Omit<S, "title" | "position">
    : never
  : never;

function stepBody(step: StepFile): StepBody {
  if ("say" in step) return { kind: "say", text: step.say };
  if ("send" in step) return { kind: "send", content: sendContent(step.send) };
  if ("read" in step) return { kind: "read" };
  if ("delete" in step) {
    const target = step.delete;
    const variable = /^\{\{\s*(.+?)\s*\}\}$/.exec(target)?.[1];
    return { kind: "delete", target: variable === undefined ? "last" : { variable } };
  }
  if ("wait" in step) return { kind: "wait", ms: ms(step.wait) };
  if ("advance" in step) return { kind: "advance", seconds: ms(step.advance) / 1_000 };
  if ("expect" in step) {
    const within = step.expect.within;
    const expectation = expectationOf(step.expect);
    const withinMs =
      within !== undefined
        ? ms(within)
        : expectation.kind === "no_reply"
          ? DEFAULT_NO_REPLY_MS
          : null;
    return { kind: "expect", expectation, withinMs };
  }
  if ("fault" in step) return { kind: "fault", fault: faultStep(step.fault) };
  return { kind: "clear_faults" };
}

function sendContent(send: SendFile): SendContent {
  const source = (value: string) => (value === "sample" ? "sample" : { path: value });
  if ("image" in send) return { type: "image", source: source(send.image) };
  if ("voice" in send) return { type: "voice", source: source(send.voice) };
  if ("location" in send) {
    const { lat, lon, title } = send.location;
    return { type: "location", lat, lon, title: title ?? null };
  }
  if ("item" in send) return { type: "item", item: send.item };
  return { type: "link", url: send.link, text: send.text ?? null };
}

function expectationOf(expect: ExpectFile): Expectation {
  if ("reply" in expect) {
    const { text, contains, matches, type } = expect.reply;
    return {
      kind: "reply",
      matcher: {
        text: text ?? null,
        contains: contains === undefined ? [] : Array.isArray(contains) ? contains : [contains],
        matches: matches === undefined ? null : regexText(matches),
        type: type ?? null,
      },
      capture: Object.fromEntries(
        Object.entries(expect.capture ?? {}).map(([name, source]) => [name, regexText(source)]),
      ),
    };
  }
  if ("replies" in expect) return { kind: "replies", count: expect.replies };
  if ("no_reply" in expect) return { kind: "no_reply" };
  if ("read" in expect) return { kind: "read" };
  if ("blacklisted" in expect) return { kind: "blacklisted" };
  return { kind: "delivered" };
}

function faultStep(fault: FaultPreset | FaultRuleFile): FaultStep {
  const rule: FaultRuleFile = typeof fault === "string" ? { preset: fault } : fault;
  return {
    preset: rule.preset ?? null,
    rule: {
      operation: rule.operation ?? null,
      status: rule.status ?? null,
      latencyMs: rule.latency_ms ?? null,
      drop: rule.drop ?? null,
      retryAfter: rule.retry_after ?? null,
      times: rule.times ?? null,
      probability: rule.probability ?? null,
    },
    forMs: rule.for === undefined ? null : ms(rule.for),
  };
}

/** A duration the schema has let through: always one. */
function ms(value: DurationValue): number {
  return parseDurationMs(value) ?? 0;
}
