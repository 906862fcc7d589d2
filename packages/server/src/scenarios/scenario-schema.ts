// The scenario file's JSON Schema (@beseda/contract/scenario.schema.json, the one editors use to
// complete files) checked with ajv, and its failures said for a person. Ajv reports a failed
// `oneOf` once per branch (nine for a misspelt step), so the explanation walks the schema beside
// the data, picks the branch the data means (a step's action key, a value's type) and reports
// only that branch's errors, each node checked by ajv on its own. What the schema says of keys
// together (dependencies, anyOf, not, if/then) the rules (scenario-rules.ts) say in their own
// words, so the walk leaves it to them.
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { didYouMean } from "./closest-name.ts";
import { isRecord, STEP_ACTIONS } from "./scenario-file.ts";
import { formatPath, type LocatedProblem, type PathSegment } from "./yaml-positions.ts";

/** A node of the schema, as far as the explanation reads it. */
interface SchemaNode {
  $ref?: string;
  oneOf?: SchemaNode[];
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  definitions?: Record<string, SchemaNode>;
  [keyword: string]: unknown;
}

export const SCENARIO_SCHEMA = createRequire(import.meta.url)(
  "@beseda/contract/scenario.schema.json",
) as SchemaNode;

const DEFINITIONS = SCENARIO_SCHEMA.definitions ?? {};

/**
 * Ajv's options for the scenario schema: strict, but for strictRequired, which takes a `required`
 * inside `anyOf`/`not`/`if` for a typo because it looks for the key in that subschema only
 * (ajv-validator/ajv#1571); the keys are declared beside them.
 */
export const SCENARIO_AJV_OPTIONS = { strict: true, strictRequired: false } as const;

/** The whole check: what decides whether a file is valid. */
const validateScenario: ValidateFunction = new Ajv(SCENARIO_AJV_OPTIONS).compile(SCENARIO_SCHEMA);

/**
 * Checks one node at a time, its children left to the walk (see nodeValidator). strictNumbers as
 * the whole check has it (strict): YAML's .inf and .nan are no numbers.
 */
const nodeAjv = new Ajv({ allErrors: true, strict: false, strictNumbers: true });
const nodeValidators = new WeakMap<SchemaNode, ValidateFunction>();

/** Every duration of the file is this definition (scenario.schema.json): found by the ref. */
const DURATION_REF = "#/definitions/duration";
/**
 * The keywords that tie keys together (fixture with seller, item_id without title, a fault's
 * preset or operation…): the rules say those in their own words, the walk leaves them out.
 */
const RULE_KEYWORDS = new Set(["dependencies", "anyOf", "allOf", "not", "if", "then", "else"]);
/** A text the sandbox takes: something besides spaces (its trim() is not empty). */
const NON_BLANK_PATTERN = "\\S";

/** Patterns the messages explain in words, read from the schema so that they cannot drift. */
const ITEM_KEY_PATTERN = DEFINITIONS.sendItem?.properties?.item?.pattern;
const DELETE_PATTERN = DEFINITIONS.deleteStep?.properties?.delete?.pattern;
const LINK_PATTERN = DEFINITIONS.sendLink?.properties?.link?.pattern;

/** The `oneOf`s chosen by a key of the data: what their messages call them. */
const KEYED_CHOICES: Record<string, { unknown: string; none: string; many: string }> = {
  step: {
    unknown: "unknown step {key}{hint}: a step is one of {list}",
    none: "this step has no action: a step is one of {list}",
    many: "a step does one thing, this one has {present}: make them separate steps",
  },
  sendContent: {
    unknown: "unknown thing to send {key}{hint}: send one of {list}",
    none: '"send" needs what to send: one of {list}',
    many: '"send" sends one thing, this one has {present}: make them separate steps',
  },
  expectation: {
    unknown: "unknown expectation {key}{hint}: expect one of {list}",
    none: '"expect" needs what to expect: one of {list}',
    many: '"expect" checks one thing, this one has {present}: make them separate steps',
  },
};

/** What a map of each definition is called in messages. */
const NOUNS: Record<string, string> = {
  world: "the world",
  fixtureDocument: "a fixture document",
  item: "an item",
  buyer: "a buyer",
  replyMatcher: "a reply check",
  faultRule: "a fault rule",
  sendImage: "an image to send",
  sendVoice: "a voice message to send",
  sendLocation: "a location to send",
  sendItem: "an item to send",
  sendLink: "a link to send",
  ...Object.fromEntries(
    STEP_ACTIONS.map((action) => [
      `${action.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}Step`,
      `${/^[aeiou]/.test(action) ? "an" : "a"} ${action} step`,
    ]),
  ),
  ...Object.fromEntries(
    ["reply", "replies", "noReply", "read", "blacklisted", "delivered"].map((kind) => [
      `${kind}Expectation`,
      `an expect of ${kind === "noReply" ? "no_reply" : kind}`,
    ]),
  ),
};

/** What one entry of each list is called, for "give at least 1 step". */
const ENTRY_NOUNS: Record<string, string> = { buyers: "buyer", steps: "step", contains: "text" };

const TYPE_WORDS: Record<string, string> = {
  string: "text",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  object: "a map (key: value)",
  array: "a list",
  null: "empty",
};

export interface SchemaCheck {
  /** The whole check's verdict. */
  valid: boolean;
  /** What is wrong, said for a person (each problem names the value's JSON path), but for what
   * the rules say (RULE_KEYWORDS): an invalid file may have none here. */
  problems: LocatedProblem[];
  /** Ajv's own errors of an invalid file: for one that neither the walk nor the rules explain. */
  errors: readonly ErrorObject[];
}

export function checkSchema(data: unknown): SchemaCheck {
  if (validateScenario(data)) return { valid: true, problems: [], errors: [] };
  const problems: LocatedProblem[] = [];
  explain(SCENARIO_SCHEMA, data, [], null, problems);
  return { valid: false, problems, errors: [...(validateScenario.errors ?? [])] };
}

/**
 * Ajv's errors as problems, for a file the walk and the rules find nothing wrong with though the
 * schema does (a construct the walk does not know): better ajv's words than an invalid file let
 * through. A failed oneOf or anyOf comes after one error per branch, which say nothing of what
 * the value was meant to be: the value is reported once, as fitting none of its forms.
 */
export function fallbackProblems(errors: readonly ErrorObject[]): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  const choices: string[] = [];
  // From the last: a choice's own error comes after its branches' (and an outer one after an
  // inner one), so it is met before the errors it covers.
  for (const error of [...errors].reverse()) {
    if (error.keyword === "if") continue; // its `then`'s errors say what is wrong
    const at = error.instancePath;
    if (choices.some((choice) => at === choice || at.startsWith(`${choice}/`))) continue;
    const path = pointerPath(at);
    if (error.keyword === "oneOf" || error.keyword === "anyOf") {
      choices.push(at);
      problems.push({ path, message: `${labelOf(path)} is not valid: it fits none of its forms` });
    } else {
      problems.push({ path, message: `${labelOf(path)} ${error.message ?? "is not valid"}` });
    }
  }
  const seen = new Set<string>();
  return problems.reverse().filter(({ path, message }) => {
    const key = `${formatPath(path)} ${message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function explain(
  node: SchemaNode,
  value: unknown,
  path: PathSegment[],
  definition: string | null,
  out: LocatedProblem[],
): void {
  if (node.$ref === DURATION_REF) {
    explainDuration(value, path, out);
    return;
  }
  if (node.$ref) {
    const name = node.$ref.replace("#/definitions/", "");
    const target = DEFINITIONS[name];
    if (target) explain(target, value, path, name, out);
    return;
  }
  if (node.oneOf) {
    explainChoice(node, value, path, definition, out);
    return;
  }
  const validate = nodeValidator(node);
  if (!validate(value)) {
    const errors = validate.errors ?? [];
    // A value of the wrong type fails the node's other keywords too: its type is the problem.
    const typeErrors = errors.filter((e) => e.keyword === "type");
    for (const error of typeErrors.length > 0 ? typeErrors : errors) {
      const problem = translate(error, node, value, path, definition);
      if (problem) out.push(problem);
    }
  }
  if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      const additional = node.additionalProperties;
      const childNode = node.properties?.[key] ?? (isRecord(additional) ? additional : null);
      if (childNode) explain(childNode as SchemaNode, child, [...path, key], null, out);
    }
  }
  if (Array.isArray(value) && node.items) {
    for (const [index, child] of value.entries()) {
      explain(node.items, child, [...path, index], null, out);
    }
  }
}

/** A duration: its form only (how long each place takes is a rule's). */
function explainDuration(value: unknown, path: PathSegment[], out: LocatedProblem[]): void {
  const duration = DEFINITIONS.duration;
  if (!duration || nodeAjv.validate(duration, value)) return;
  out.push({
    path,
    message: `${labelOf(path)} is not a duration: ${describeValue(value)}; write 500ms, 5s, 1.5s, 2m, 1h30m or a number of seconds`,
  });
}

/** A `oneOf`: the branch the data means is explained; a value that means none is said so. */
function explainChoice(
  node: SchemaNode,
  value: unknown,
  path: PathSegment[],
  definition: string | null,
  out: LocatedProblem[],
): void {
  const branches = (node.oneOf ?? []).map((branch) => resolve(branch));
  const kind = jsonType(value);
  const typed = branches.filter((b) => accepts(b.node.type, kind));
  const [only] = typed;
  if (only && typed.length === 1) {
    explain(only.node, value, path, only.definition, out);
    return;
  }
  if (!only || !isRecord(value)) {
    out.push({ path, message: mismatchMessage(branches, value, path, definition) });
    return;
  }
  // Several maps: the one whose own key (its first required one) the value has.
  const choice = KEYED_CHOICES[definition ?? ""];
  const ownKeys = typed.map((b) => b.node.required?.[0] ?? "");
  const present = ownKeys.filter((key) => Object.hasOwn(value, key));
  const chosen = present.length === 1 ? typed[ownKeys.indexOf(present[0] ?? "")] : undefined;
  if (chosen) {
    explain(chosen.node, value, path, chosen.definition, out);
    return;
  }
  const fill = (template: string, key = "") =>
    template
      .replace("{key}", JSON.stringify(key))
      .replace("{hint}", didYouMean(key, ownKeys))
      .replace("{list}", ownKeys.join(", "))
      .replace("{present}", listWords(present));
  if (!choice) {
    out.push({
      path,
      message: `${labelOf(path)} is not valid: it needs one of ${ownKeys.join(", ")}`,
    });
  } else if (present.length > 1) {
    out.push({ path, message: fill(choice.many) });
  } else {
    const shared = new Set(typed.flatMap((b) => Object.keys(b.node.properties ?? {})));
    const unknown = Object.keys(value).find((key) => !shared.has(key));
    if (unknown === undefined) out.push({ path, message: fill(choice.none) });
    else
      out.push({
        path: [...path, unknown],
        at: { key: true },
        message: fill(choice.unknown, unknown),
      });
  }
}

/** A value of a type no branch takes. */
function mismatchMessage(
  branches: { node: SchemaNode }[],
  value: unknown,
  path: PathSegment[],
  definition: string | null,
): string {
  if (definition === "step") {
    const word = typeof value === "string" ? (value.split(/[\s:]/, 1)[0] ?? "") : "";
    if ((STEP_ACTIONS as readonly string[]).includes(word)) {
      const example = ["read", "clear_faults"].includes(word) ? `${word}: true` : `${word}: …`;
      return `a step is a map: write "${example}" (a key, a colon, a space, its value)`;
    }
    if (value === null) return 'this step is empty: write an action, such as "say: Hello"';
    return `a step is a map with one action key, such as "say: Hello", not ${describeValue(value)}`;
  }
  const words = [...new Set(branches.map((b) => TYPE_WORDS[b.node.type ?? ""] ?? "valid"))];
  return `${labelOf(path)} must be ${words.join(" or ")}, not ${describeValue(value)}`;
}

/** One error of one node, in words. */
function translate(
  error: ErrorObject,
  node: SchemaNode,
  value: unknown,
  path: PathSegment[],
  definition: string | null,
): LocatedProblem | null {
  const label = labelOf(path);
  const params = error.params as Record<string, unknown>;
  const limit = params.limit;
  switch (error.keyword) {
    case "type": {
      if (isOnlyTrue(node)) return { path, message: `${label} can only be true` };
      const expected = String(params.type);
      const word = TYPE_WORDS[expected] ?? expected;
      if (value === null) return { path, message: `${label} has no value: it must be ${word}` };
      let hint = "";
      if (expected === "string" && ["number", "boolean"].includes(typeof value)) {
        hint = " (put it in quotes)";
      } else if (expected === "array") {
        hint = `: write it as a list, [${typeof value === "string" ? value : "…"}]`;
      }
      return { path, message: `${label} must be ${word}, not ${describeValue(value)}${hint}` };
    }
    case "required": {
      const missing = String(params.missingProperty);
      const required = node.required ?? [missing];
      return {
        path: [...path, missing],
        at: { path },
        message: `"${missing}" is missing: ${nounOf(path, definition)} needs ${listWords(required)}`,
      };
    }
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const at = { key: true as const };
      if (key === "capture" && definition?.endsWith("Expectation")) {
        return {
          path: [...path, key],
          at,
          message: `"capture" goes with "reply" only: it takes variables from the reply's text`,
        };
      }
      const known = Object.keys(node.properties ?? {});
      return {
        path: [...path, key],
        at,
        message: `unknown key "${key}"${didYouMean(key, known)}: ${nounOf(path, definition)} takes ${listWords(known)}`,
      };
    }
    case "propertyNames": {
      const name = String(params.propertyName);
      const message =
        node.propertyNames && (node.propertyNames as SchemaNode).pattern === ITEM_KEY_PATTERN
          ? `item key "${name}" is not valid: use lowercase letters, digits, _ and -, starting with a letter`
          : `"${name}" is not a variable name: use letters, digits and _, not starting with a digit`;
      return { path: [...path, name], at: { key: true }, message };
    }
    case "enum": {
      const allowed = node.enum ?? [];
      if (isOnlyTrue(node)) return { path, message: `${label} can only be true` };
      const hint = typeof value === "string" ? didYouMean(value, allowed.map(String)) : "";
      return {
        path,
        message: `${label} must be one of ${allowed.join(", ")}, not ${describeValue(value)}${hint}`,
      };
    }
    case "pattern":
      if ("propertyName" in error) return null; // said by its propertyNames error
      // An empty text is said by its minLength error, not as blank too.
      if (value === "" && params.pattern === NON_BLANK_PATTERN) return null;
      return { path, message: patternMessage(String(params.pattern), value, label) };
    case "minLength":
      return {
        path,
        message: limit === 1 ? `${label} is empty` : `${label} is shorter than ${limit} characters`,
      };
    case "maxLength":
      return {
        path,
        message: `${label} is too long: at most ${limit} characters (it has ${String(value).length})`,
      };
    case "minimum":
      return { path, message: `${label} must be at least ${limit}, not ${describeValue(value)}` };
    case "maximum":
      return { path, message: `${label} must be at most ${limit}, not ${describeValue(value)}` };
    case "exclusiveMinimum":
      return { path, message: `${label} must be more than ${limit}, not ${describeValue(value)}` };
    case "minItems": {
      const entry = ENTRY_NOUNS[String(path.at(-1))] ?? "entry";
      return { path, message: `${label} is empty: give at least ${limit} ${entry}` };
    }
    case "maxItems":
    case "maxProperties": {
      const count = Array.isArray(value)
        ? value.length
        : isRecord(value)
          ? Object.keys(value).length
          : 0;
      return { path, message: `${label} has ${count} entries: at most ${limit}` };
    }
    case "uniqueItems": {
      const repeated = Array.isArray(value) ? value[Number(params.j)] : undefined;
      return { path, message: `${label} lists ${JSON.stringify(repeated)} twice` };
    }
    default:
      return { path, message: `${label} ${error.message ?? "is not valid"}` };
  }
}

/** `read: true`, `no_reply: true`…: a flag that is there or not. */
function isOnlyTrue(node: SchemaNode): boolean {
  return node.enum?.length === 1 && node.enum[0] === true;
}

function patternMessage(pattern: string, value: unknown, label: string): string {
  if (pattern === ITEM_KEY_PATTERN) {
    return `${JSON.stringify(value)} is not an item key: keys are lowercase letters, digits, _ and -, starting with a letter`;
  }
  if (pattern === DELETE_PATTERN) {
    return `${label} is "last", or "{{variable}}" holding a message id, not ${describeValue(value)}`;
  }
  if (pattern === LINK_PATTERN) {
    return `${label} must be an http:// or https:// URL with no spaces, not ${describeValue(value)}`;
  }
  if (pattern === NON_BLANK_PATTERN) return `${label} has only spaces: write some text`;
  return `${label} does not match ${pattern}`;
}

/** A copy of the node without its children's schemas: ajv checks the node itself. */
function nodeValidator(node: SchemaNode): ValidateFunction {
  let validate = nodeValidators.get(node);
  if (!validate) {
    const copy: Record<string, unknown> = {};
    for (const [keyword, schema] of Object.entries(node)) {
      if (keyword === "properties" && isRecord(schema)) {
        copy.properties = Object.fromEntries(Object.keys(schema).map((key) => [key, true]));
      } else if (keyword === "items") {
        copy.items = true;
      } else if (keyword === "additionalProperties") {
        copy.additionalProperties = schema !== false;
      } else if (
        !RULE_KEYWORDS.has(keyword) &&
        !["definitions", "$id", "$schema", "examples", "default"].includes(keyword)
      ) {
        copy[keyword] = schema;
      }
    }
    validate = nodeAjv.compile(copy);
    nodeValidators.set(node, validate);
  }
  return validate;
}

function resolve(node: SchemaNode): { node: SchemaNode; definition: string | null } {
  if (!node.$ref) return { node, definition: null };
  const name = node.$ref.replace("#/definitions/", "");
  return { node: DEFINITIONS[name] ?? {}, definition: name };
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function accepts(type: string | undefined, kind: string): boolean {
  return type === undefined || type === kind || (type === "number" && kind === "integer");
}

/** How a message names the value at `path`: `"within"`, `buyers[0]`, `the scenario`. */
function labelOf(path: readonly PathSegment[]): string {
  const last = path.at(-1);
  if (last === undefined) return "the scenario";
  if (typeof last === "string") return `"${last}"`;
  return formatPath(path.slice(-2));
}

function nounOf(path: readonly PathSegment[], definition: string | null): string {
  if (path.length === 0) return "a scenario";
  return NOUNS[definition ?? ""] ?? labelOf(path);
}

function describeValue(value: unknown): string {
  if (value === null) return "empty";
  if (typeof value === "string") {
    return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value);
  }
  if (typeof value === "number") return `the number ${value}`;
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return String(value);
}

/** "a", "a and b", "a, b and c". */
function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** "/buyers/0/steps" → ["buyers", 0, "steps"]. */
function pointerPath(pointer: string): PathSegment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}
