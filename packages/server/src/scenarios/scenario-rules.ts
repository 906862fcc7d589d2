// The rules of a scenario file that its JSON Schema cannot say: names that must exist (items,
// {{variables}}, in order per buyer), keys that go together (seller with fixture, item_id with a
// fixture), regexes that compile, limits on sizes and durations, fault rules the sandbox would
// refuse. They read the data before it is known to be valid (the schema's problems are found
// apart), so each value's type is checked before it is used and a malformed one is left alone.
import { didYouMean } from "./closest-name.ts";
import { parseDurationMs } from "./duration.ts";
import { namedGroups, regexProblem, regexText } from "./regex-text.ts";
import {
  isRecord,
  MAX_ADVANCE_SECONDS,
  MAX_BUYER_RUNS,
  MAX_WAIT_MS,
  stepAction,
} from "./scenario-file.ts";
import { templateSyntaxProblem, templateVariables } from "./template.ts";
import type { LocatedProblem, PathSegment } from "./yaml-positions.ts";

/** The variables every buyer run has, besides `item.<key>.*`. */
export const BUILT_IN_VARIABLES = ["buyer.name", "buyer.id", "chat.id", "seller.id", "run"];
const ITEM_VARIABLE = /^item\.([^.]+)\.(id|title|url)$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The presets' statuses, for the checks of a rule that overrides one. */
const PRESET_STATUS: Record<string, number | null> = {
  rate_limit_storm: 429,
  api_down: 503,
  webhooks_failing: 500,
  token_expired: null,
};

export function scenarioRuleProblems(data: Record<string, unknown>): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  const world = isRecord(data.world) ? data.world : {};
  const items = isRecord(world.items) ? world.items : {};
  const itemKeys = Object.keys(items);
  const hasFixture = world.fixture !== undefined && world.fixture !== null;
  worldProblems(world, items, hasFixture, problems);

  const buyers = Array.isArray(data.buyers) ? data.buyers : [];
  if (typeof data.repeat === "number" && data.repeat * buyers.length > MAX_BUYER_RUNS) {
    problems.push({
      path: ["repeat"],
      message: `repeat × buyers is ${data.repeat} × ${buyers.length} = ${data.repeat * buyers.length} buyer runs: at most ${MAX_BUYER_RUNS.toLocaleString("en").replaceAll(",", " ")}`,
    });
  }
  for (const [index, buyer] of buyers.entries()) {
    if (!isRecord(buyer)) continue;
    const path = ["buyers", index];
    if (typeof buyer.item === "string") {
      const problem = itemProblem(buyer.item, itemKeys);
      if (problem) problems.push({ path: [...path, "item"], message: problem });
    }
    if (Array.isArray(buyer.steps)) {
      new BuyerSteps(buyer.steps, [...path, "steps"], itemKeys, problems).check();
    }
  }
  return problems;
}

function worldProblems(
  world: Record<string, unknown>,
  items: Record<string, unknown>,
  hasFixture: boolean,
  problems: LocatedProblem[],
): void {
  if (hasFixture && world.seller === undefined) {
    problems.push({
      path: ["world", "seller"],
      at: { path: ["world"] },
      message: `"seller" is missing: with a fixture, name the bot's account in it (seller: <its user_id>)`,
    });
  }
  if (!hasFixture && world.seller !== undefined) {
    problems.push({
      path: ["world", "seller"],
      at: { key: true },
      message: `"seller" goes with "fixture" only: without a fixture the runner's bot account is the seller`,
    });
  }
  for (const [key, item] of Object.entries(items)) {
    if (!isRecord(item)) continue;
    const path = ["world", "items", key];
    if (item.item_id !== undefined && !hasFixture) {
      problems.push({
        path: [...path, "item_id"],
        at: { key: true },
        message: `"item_id" goes with a fixture only: it names an item already in the fixture`,
      });
    }
    if (item.title === undefined && item.item_id === undefined) {
      problems.push({
        path: [...path, "title"],
        at: { path },
        message: `"title" is missing: an item needs a title${hasFixture ? " (or the item_id of one in the fixture)" : ""}`,
      });
    }
  }
}

function itemProblem(key: string, itemKeys: readonly string[]): string | null {
  if (itemKeys.includes(key)) return null;
  const known = itemKeys.length > 0 ? `(${itemKeys.join(", ")})` : "(it has none)";
  return `item "${key}" is not in world.items ${known}${didYouMean(key, itemKeys)}`;
}

/** One buyer's steps, in order: what each uses must exist when it runs. */
class BuyerSteps {
  /** Variables the steps so far have captured. */
  readonly #captured = new Set<string>();
  /** Every variable a step of this buyer captures, and the first step that does. */
  readonly #capturedBy = new Map<string, number>();
  readonly #steps: unknown[];
  readonly #path: PathSegment[];
  readonly #itemKeys: readonly string[];
  readonly #problems: LocatedProblem[];

  constructor(
    steps: unknown[],
    path: PathSegment[],
    itemKeys: readonly string[],
    problems: LocatedProblem[],
  ) {
    this.#steps = steps;
    this.#path = path;
    this.#itemKeys = itemKeys;
    this.#problems = problems;
  }

  check(): void {
    for (const [index, step] of this.#steps.entries()) {
      for (const name of capturedNames(step)) {
        if (!this.#capturedBy.has(name)) this.#capturedBy.set(name, index);
      }
    }
    for (const [index, step] of this.#steps.entries()) {
      const action = stepAction(step);
      if (!action || !isRecord(step)) continue;
      const path = [...this.#path, index, action];
      const value = step[action];
      if (action === "say") this.#template(value, path);
      else if (action === "send") this.#send(value, path);
      else if (action === "delete") this.#delete(value, path);
      else if (action === "wait") this.#wait(value, path);
      else if (action === "advance") this.#advance(value, path);
      else if (action === "expect") this.#expect(value, path);
      else if (action === "fault") this.#fault(value, path);
      for (const name of capturedNames(step)) this.#captured.add(name);
    }
  }

  #send(send: unknown, path: PathSegment[]): void {
    if (!isRecord(send)) return;
    if (typeof send.item === "string") {
      const problem = itemProblem(send.item, this.#itemKeys);
      if (problem) this.#problem([...path, "item"], problem);
    }
    this.#template(send.link, [...path, "link"]);
    this.#template(send.text, [...path, "text"]);
    if (isRecord(send.location))
      this.#template(send.location.title, [...path, "location", "title"]);
  }

  #delete(target: unknown, path: PathSegment[]): void {
    if (typeof target === "string" && target !== "last") this.#template(target, path);
  }

  #wait(value: unknown, path: PathSegment[]): void {
    const ms = durationMs(value);
    if (ms !== null && ms > MAX_WAIT_MS) {
      this.#problem(path, `"wait" is at most 10m: to let more sandbox time pass, use advance`);
    }
  }

  #advance(value: unknown, path: PathSegment[]): void {
    const ms = durationMs(value);
    if (ms === null) return;
    if (ms % 1_000 !== 0) {
      this.#problem(path, `"advance" moves the clock by whole seconds: use 1s, 2m, 1d…`);
    } else if (ms / 1_000 > MAX_ADVANCE_SECONDS) {
      this.#problem(path, `"advance" is at most 3650d at a time`);
    }
  }

  #expect(expect: unknown, path: PathSegment[]): void {
    if (!isRecord(expect) || !isRecord(expect.reply)) return;
    const reply = expect.reply;
    const replyPath = [...path, "reply"];
    this.#template(reply.text, [...replyPath, "text"]);
    if (Array.isArray(reply.contains)) {
      for (const [index, text] of reply.contains.entries()) {
        this.#template(text, [...replyPath, "contains", index]);
      }
    } else {
      this.#template(reply.contains, [...replyPath, "contains"]);
    }
    if (typeof reply.matches === "string") {
      const regex = regexText(reply.matches);
      const problem = regexProblem(regex);
      if (problem) this.#problem([...replyPath, "matches"], `"matches" ${problem}`);
      for (const group of problem ? [] : namedGroups(regex.source)) {
        if (!VARIABLE_NAME.test(group)) {
          this.#problem(
            [...replyPath, "matches"],
            `the named group "${group}" cannot be a variable: name it with letters, digits and _`,
          );
        }
      }
    }
    if (isRecord(expect.capture)) {
      for (const [name, source] of Object.entries(expect.capture)) {
        if (typeof source !== "string") continue;
        const problem = regexProblem({ source, flags: "" });
        if (problem) this.#problem([...path, "capture", name], `"${name}" ${problem}`);
      }
    }
  }

  #fault(fault: unknown, path: PathSegment[]): void {
    if (!isRecord(fault)) return;
    const preset = typeof fault.preset === "string" ? fault.preset : null;
    const fields = Object.keys(fault).filter((key) => key !== "preset");
    if (preset === "token_expired" && fields.length > 0) {
      this.#problem(
        [...path, fields[0] ?? ""],
        `token_expired makes no rule (the seller's tokens expire at once): it takes no "${fields[0]}"`,
        true,
      );
      return;
    }
    if (preset === null && fault.operation === undefined) {
      this.#problem(
        [...path, "operation"],
        `"operation" is missing: a fault is a preset, or a rule with an operation (postSendMessage, *, webhook…)`,
        false,
        path,
      );
    }
    const status =
      typeof fault.status === "number" ? fault.status : preset ? PRESET_STATUS[preset] : null;
    const acts = status !== null || fault.latency_ms !== undefined || fault.drop !== undefined;
    if (preset === null && !acts) {
      this.#problem(
        [...path, "status"],
        `a fault rule needs what it does: status, latency_ms or drop`,
        false,
        path,
      );
    }
    if (fault.drop !== undefined && status !== null && status !== undefined) {
      this.#problem(
        [...path, "drop"],
        `a fault either drops the connection or answers a status, not both`,
        true,
      );
    }
    if (fault.retry_after !== undefined && status !== 429) {
      this.#problem([...path, "retry_after"], `"retry_after" goes with status 429 only`, true);
    }
  }

  /** The {{variables}} of a text: well formed, and each one known when the step runs. */
  #template(text: unknown, path: PathSegment[]): void {
    if (typeof text !== "string") return;
    const syntax = templateSyntaxProblem(text);
    if (syntax) this.#problem(path, syntax);
    for (const name of templateVariables(text)) {
      const problem = this.#variableProblem(name);
      if (problem) this.#problem(path, problem);
    }
  }

  #variableProblem(name: string): string | null {
    if (BUILT_IN_VARIABLES.includes(name) || this.#captured.has(name)) return null;
    const item = ITEM_VARIABLE.exec(name);
    if (item) {
      const problem = itemProblem(item[1] ?? "", this.#itemKeys);
      return problem ? `{{${name}}}: ${problem}` : null;
    }
    const capturingStep = this.#capturedBy.get(name);
    if (capturingStep !== undefined) {
      return `{{${name}}} is captured only by a later step (step ${capturingStep + 1}): a variable can be used after the step that captures it`;
    }
    const known = [
      ...BUILT_IN_VARIABLES,
      ...this.#itemKeys.flatMap((key) => ["id", "title", "url"].map((p) => `item.${key}.${p}`)),
      ...this.#captured,
    ];
    return `unknown variable {{${name}}}${didYouMean(name, known)}: use a built-in (${BUILT_IN_VARIABLES.join(", ")}, item.<key>.id|title|url) or one captured by an earlier step of this buyer`;
  }

  #problem(path: PathSegment[], message: string, atKey = false, at?: PathSegment[]): void {
    this.#problems.push({
      path,
      message,
      ...(atKey ? { at: { key: true } } : at ? { at: { path: at } } : {}),
    });
  }
}

/** The variables a step captures: its `capture` names and the named groups of its `matches`. */
function capturedNames(step: unknown): string[] {
  if (!isRecord(step) || !isRecord(step.expect)) return [];
  const expect = step.expect;
  const names = isRecord(expect.capture) ? Object.keys(expect.capture) : [];
  if (isRecord(expect.reply) && typeof expect.reply.matches === "string") {
    const regex = regexText(expect.reply.matches);
    if (regexProblem(regex) === null) names.push(...namedGroups(regex.source));
  }
  return names.filter((name) => VARIABLE_NAME.test(name));
}

function durationMs(value: unknown): number | null {
  return typeof value === "string" || typeof value === "number" ? parseDurationMs(value) : null;
}
