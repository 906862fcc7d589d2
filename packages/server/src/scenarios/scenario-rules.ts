// The rules of a scenario file that its JSON Schema does not say in words a person reads, or
// cannot say: names that must exist (items, {{variables}}, in order per buyer, operations), keys
// that go together (seller with fixture, item_id with a fixture and alone, a fault's preset or
// operation and what it does), regexes that compile, limits on sizes and durations, fault rules
// the sandbox would refuse. They read the data before it is known to be valid, so each value's
// type is checked before it is used; a value the schema has found wrong (at or under it) is left
// to the schema's problem, so that one mistake is told once.
import { createRequire } from "node:module";
import { didYouMean } from "./closest-name.ts";
import { formatDurationMs, parseDurationMs } from "./duration.ts";
import { FAULT_PRESETS } from "./fault-presets.ts";
import { namedGroups, regexProblem, regexText } from "./regex-text.ts";
import {
  isRecord,
  MAX_ADVANCE_SECONDS,
  MAX_BUYER_RUNS,
  MAX_FAULT_FOR_MS,
  MAX_TIME_LIMIT_MS,
  MAX_WAIT_MS,
  stepAction,
} from "./scenario-file.ts";
import { templateSyntaxProblem, templateVariables } from "./template.ts";
import type { LocatedProblem, PathSegment } from "./yaml-positions.ts";

/** The variables every buyer run has, besides `item.<key>.*`. */
export const BUILT_IN_VARIABLES = ["buyer.name", "buyer.id", "chat.id", "seller.id", "run"];
const ITEM_VARIABLE = /^item\.([^.]+)\.(id|title|url)$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A rule for every operation of the API; one for the account's webhook deliveries. */
const ANY_OPERATION = "*";
const WEBHOOK_OPERATION = "webhook";
/**
 * The operations a fault rule may name: every operationId of the API documents Beseda serves
 * (the sandbox matches requests by them), read from the contract as any client would.
 */
const FAULT_OPERATIONS: readonly string[] = [
  ANY_OPERATION,
  WEBHOOK_OPERATION,
  ...["messenger", "auth", "user", "items"].flatMap((name) =>
    operationIds(createRequire(import.meta.url)(`@beseda/contract/${name}.json`)),
  ),
];
/**
 * The statuses the sandbox lets a rule answer an API call with (production's bad days), and the
 * range of a webhook rule's (what the bot seems to answer): POST /sandbox/v1/faults refuses others.
 */
const API_FAULT_STATUSES = [402, 403, 429, 500, 502, 503];
const WEBHOOK_FAULT_STATUSES = { min: 400, max: 599 };
/** Keys an item taken from the fixture (item_id) has from it, not from the scenario. */
const FIXTURE_ITEM_KEYS = ["title", "price", "status", "address"];

/** The operationIds of an OpenAPI document. */
function operationIds(document: unknown): string[] {
  const paths = isRecord(document) && isRecord(document.paths) ? document.paths : {};
  return Object.values(paths).flatMap((item) =>
    Object.values(isRecord(item) ? item : {}).flatMap((operation) =>
      isRecord(operation) && typeof operation.operationId === "string"
        ? [operation.operationId]
        : [],
    ),
  );
}

/** The rule a preset stands for; null for token_expired (no rule) and for a name of none. */
function presetRule(preset: string | null) {
  if (preset === null || !Object.hasOwn(FAULT_PRESETS, preset)) return null;
  return FAULT_PRESETS[preset as keyof typeof FAULT_PRESETS];
}

/** True when `path` is `under` or inside it. */
function isWithin(path: readonly PathSegment[], under: readonly PathSegment[]): boolean {
  return under.length <= path.length && under.every((segment, i) => path[i] === segment);
}

/**
 * The problems the rules find. `reported` are the schema's: a value at or under one of their
 * paths is not checked again.
 */
export function scenarioRuleProblems(
  data: Record<string, unknown>,
  reported: readonly LocatedProblem[],
): LocatedProblem[] {
  const rules = new Rules(reported);
  const world = isRecord(data.world) ? data.world : {};
  const items = isRecord(world.items) ? world.items : {};
  const itemKeys = Object.keys(items);
  rules.duration(data.timeout, ["timeout"], MAX_TIME_LIMIT_MS);
  worldProblems(world, items, rules);

  const buyers = Array.isArray(data.buyers) ? data.buyers : [];
  const runs = typeof data.repeat === "number" ? data.repeat * buyers.length : 0;
  if (runs > MAX_BUYER_RUNS && rules.open(["repeat"])) {
    rules.add(
      ["repeat"],
      `repeat × buyers is ${data.repeat} × ${buyers.length} = ${runs} buyer runs: at most ${MAX_BUYER_RUNS.toLocaleString("en").replaceAll(",", " ")}`,
    );
  }
  for (const [index, buyer] of buyers.entries()) {
    if (!isRecord(buyer)) continue;
    const path = ["buyers", index];
    if (typeof buyer.item === "string" && rules.open([...path, "item"])) {
      const problem = itemProblem(buyer.item, itemKeys);
      if (problem) rules.add([...path, "item"], problem);
    }
    if (Array.isArray(buyer.steps)) {
      new BuyerSteps(buyer.steps, [...path, "steps"], itemKeys, rules).check();
    }
  }
  return rules.problems;
}

/** The problems found so far, and which values the schema has already found wrong. */
class Rules {
  readonly problems: LocatedProblem[] = [];
  readonly #reported: readonly LocatedProblem[];

  constructor(reported: readonly LocatedProblem[]) {
    this.#reported = reported;
  }

  /** True when the schema found nothing wrong at or under `path`: its rules may run. */
  open(path: readonly PathSegment[]): boolean {
    return !this.#reported.some((problem) => isWithin(problem.path, path));
  }

  /** A problem of the value at `path`, pointing at it, at its key ("key"), or at another value. */
  add(path: PathSegment[], message: string, at?: "key" | PathSegment[]): void {
    this.problems.push({
      path,
      message,
      ...(at === "key" ? { at: { key: true } } : at ? { at: { path: at } } : {}),
    });
  }

  /** A duration longer than `maxMs` (its form is the schema's). */
  duration(value: unknown, path: PathSegment[], maxMs: number): void {
    const ms = durationMs(value);
    if (ms === null || ms <= maxMs || !this.open(path)) return;
    const label = `"${path.at(-1)}"`;
    this.add(path, `${label} is at most ${formatDurationMs(maxMs)}, not ${formatDurationMs(ms)}`);
  }
}

function worldProblems(
  world: Record<string, unknown>,
  items: Record<string, unknown>,
  rules: Rules,
): void {
  const hasFixture = world.fixture !== undefined && world.fixture !== null;
  if (rules.open(["world", "fixture"]) && rules.open(["world", "seller"])) {
    if (hasFixture && world.seller === undefined) {
      rules.add(
        ["world", "seller"],
        `"seller" is missing: with a fixture, name the bot's account in it (seller: <its user_id>)`,
        ["world"],
      );
    }
    if (!hasFixture && world.seller !== undefined) {
      rules.add(
        ["world", "seller"],
        `"seller" goes with "fixture" only: without a fixture the runner's bot account is the seller`,
        "key",
      );
    }
  }
  for (const [key, item] of Object.entries(items)) {
    const path = ["world", "items", key];
    if (!isRecord(item) || !rules.open(path)) continue;
    if (item.item_id === undefined) {
      if (item.title === undefined) {
        rules.add(
          [...path, "title"],
          `"title" is missing: an item needs a title${hasFixture ? " (or the item_id of one in the fixture)" : ""}`,
          path,
        );
      }
      continue;
    }
    if (!hasFixture) {
      rules.add(
        [...path, "item_id"],
        `"item_id" goes with a fixture only: it names an item already in the fixture`,
        "key",
      );
    }
    for (const fixtureKey of FIXTURE_ITEM_KEYS.filter((k) => item[k] !== undefined)) {
      rules.add(
        [...path, fixtureKey],
        `"${fixtureKey}" does not go with "item_id": an item of the fixture keeps its own ${fixtureKey}`,
        "key",
      );
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
  readonly #rules: Rules;
  /** The index of the step being checked. */
  #current = 0;

  constructor(steps: unknown[], path: PathSegment[], itemKeys: readonly string[], rules: Rules) {
    this.#steps = steps;
    this.#path = path;
    this.#itemKeys = itemKeys;
    this.#rules = rules;
  }

  check(): void {
    for (const [index, step] of this.#steps.entries()) {
      for (const name of capturedNames(step)) {
        if (!this.#capturedBy.has(name)) this.#capturedBy.set(name, index);
      }
    }
    for (const [index, step] of this.#steps.entries()) {
      this.#current = index;
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
    if (typeof send.item === "string" && this.#rules.open([...path, "item"])) {
      const problem = itemProblem(send.item, this.#itemKeys);
      if (problem) this.#rules.add([...path, "item"], problem);
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
    if (ms !== null && ms > MAX_WAIT_MS && this.#rules.open(path)) {
      this.#rules.add(path, `"wait" is at most 10m: to let more sandbox time pass, use advance`);
    }
  }

  #advance(value: unknown, path: PathSegment[]): void {
    const ms = durationMs(value);
    if (ms === null || !this.#rules.open(path)) return;
    if (ms % 1_000 !== 0) {
      this.#rules.add(path, `"advance" moves the clock by whole seconds: use 1s, 2m, 1d…`);
    } else if (ms / 1_000 > MAX_ADVANCE_SECONDS) {
      this.#rules.add(path, `"advance" is at most 3650d at a time`);
    }
  }

  #expect(expect: unknown, path: PathSegment[]): void {
    if (!isRecord(expect)) return;
    this.#rules.duration(expect.within, [...path, "within"], MAX_TIME_LIMIT_MS);
    if (!isRecord(expect.reply)) return;
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
    const matchesPath = [...replyPath, "matches"];
    if (typeof reply.matches === "string" && this.#rules.open(matchesPath)) {
      const regex = regexText(reply.matches);
      const problem = regexProblem(regex, `"matches"`);
      if (problem) this.#rules.add(matchesPath, problem);
      for (const group of problem ? [] : namedGroups(regex.source)) {
        if (!VARIABLE_NAME.test(group)) {
          this.#rules.add(
            matchesPath,
            `the named group "${group}" cannot be a variable: name it with letters, digits and _`,
          );
        }
      }
    }
    if (isRecord(expect.capture)) {
      for (const [name, source] of Object.entries(expect.capture)) {
        const capturePath = [...path, "capture", name];
        if (typeof source !== "string" || !this.#rules.open(capturePath)) continue;
        const problem = regexProblem(regexText(source), `"${name}"`);
        if (problem) this.#rules.add(capturePath, problem);
      }
    }
  }

  #fault(fault: unknown, path: PathSegment[]): void {
    if (!isRecord(fault) || !this.#rules.open(path)) return;
    const preset = typeof fault.preset === "string" ? fault.preset : null;
    const fields = Object.keys(fault).filter((key) => key !== "preset");
    const [field] = fields;
    if (preset === "token_expired" && field !== undefined) {
      this.#rules.add(
        [...path, field],
        `token_expired makes no rule (the seller's tokens expire at once): it takes no "${field}"`,
        "key",
      );
      return;
    }
    const rule = presetRule(preset);
    if (preset === null && fault.operation === undefined) {
      this.#rules.add(
        [...path, "operation"],
        `"operation" is missing: a fault is a preset, or a rule with an operation (postSendMessage, *, webhook…)`,
        path,
      );
    }
    const given = typeof fault.status === "number" ? fault.status : null;
    if (fault.drop !== undefined && given !== null) {
      this.#rules.add(
        [...path, "drop"],
        `a fault either drops the connection or answers a status, not both`,
        "key",
      );
    }
    // A drop replaces the preset's status (a dropped request answers nothing).
    const status = given ?? (fault.drop === undefined ? (rule?.status ?? null) : null);
    if (
      preset === null &&
      status === null &&
      fault.latency_ms === undefined &&
      fault.drop === undefined
    ) {
      this.#rules.add(
        [...path, "status"],
        `a fault rule needs what it does: status, latency_ms or drop`,
        path,
      );
    }
    if (fault.retry_after !== undefined && status !== 429) {
      this.#rules.add([...path, "retry_after"], `"retry_after" goes with status 429 only`, "key");
    }
    const operation = typeof fault.operation === "string" ? fault.operation : rule?.operation;
    if (typeof fault.operation === "string" && !FAULT_OPERATIONS.includes(fault.operation)) {
      this.#rules.add(
        [...path, "operation"],
        `"${fault.operation}" is not an operation${didYouMean(fault.operation, FAULT_OPERATIONS)}: name an operationId of the API (postSendMessage, getChatsV2, getAccessToken…), * for every one, or webhook`,
      );
    } else if (given !== null && operation !== undefined) {
      const problem = statusProblem(given, operation);
      if (problem) this.#rules.add([...path, "status"], problem);
    }
    this.#rules.duration(fault.for, [...path, "for"], MAX_FAULT_FOR_MS);
  }

  /** The {{variables}} of a text: well formed, and each one known when the step runs. */
  #template(text: unknown, path: PathSegment[]): void {
    if (typeof text !== "string" || !this.#rules.open(path)) return;
    const syntax = templateSyntaxProblem(text);
    if (syntax) this.#rules.add(path, syntax);
    for (const name of templateVariables(text)) {
      const problem = this.#variableProblem(name);
      if (problem) this.#rules.add(path, problem);
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
    if (capturingStep === this.#current) {
      return `{{${name}}} is captured by this step: it can be used from the next step on`;
    }
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
}

/** Why the sandbox would refuse a rule of `operation` answering `status`, or null. */
function statusProblem(status: number, operation: string): string | null {
  if (operation === WEBHOOK_OPERATION) {
    const { min, max } = WEBHOOK_FAULT_STATUSES;
    return status >= min && status <= max
      ? null
      : `a webhook fault's status is what the bot seems to answer: ${min} to ${max}, not ${status}`;
  }
  if (API_FAULT_STATUSES.includes(status)) return null;
  const list = `${API_FAULT_STATUSES.slice(0, -1).join(", ")} or ${API_FAULT_STATUSES.at(-1)}`;
  return `a fault answers an API call with ${list} (production's bad days), not ${status}`;
}

/** The variables a step captures: its `capture` names and the named groups of its `matches`. */
function capturedNames(step: unknown): string[] {
  if (!isRecord(step) || !isRecord(step.expect)) return [];
  const expect = step.expect;
  const names = isRecord(expect.capture) ? Object.keys(expect.capture) : [];
  if (isRecord(expect.reply) && typeof expect.reply.matches === "string") {
    const regex = regexText(expect.reply.matches);
    if (regexProblem(regex, "") === null) names.push(...namedGroups(regex.source));
  }
  return names.filter((name) => VARIABLE_NAME.test(name));
}

function durationMs(value: unknown): number | null {
  return typeof value === "string" || typeof value === "number" ? parseDurationMs(value) : null;
}
