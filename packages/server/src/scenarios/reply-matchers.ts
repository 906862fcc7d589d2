// Whether a reply meets an `expect: reply` step, and both sides of a failure as a person reads
// them: "a reply containing "продаётся"" against ""Нет в наличии"". Pure: {{variables}} are
// filled in by the `fill` the caller gives, with the run's variables.
import { messageText, renderMessage } from "./conversation.ts";
import type { Expectation, ReplyMatcher } from "./model.ts";
import type { SandboxMessage } from "./sandbox-shapes.ts";

export type ReplyVerdict =
  /** Met: the variables it captured (named groups of `matches`, then `capture`). */
  | { met: true; captured: Record<string, string> }
  /** Not met: which part did not hold, in a few words. */
  | { met: false; why: string };

/** An `expect: reply` step's `capture`: variable → a regex (source and flags, as `matches`). */
export type Captures = Extract<Expectation, { kind: "reply" }>["capture"];

/** Fills {{variables}} of a template: the run's, as the engine knows them. */
export type Fill = (template: string) => string;

function quoted(text: string): string {
  return JSON.stringify(text);
}

/**
 * The longest text a regular expression runs on: the sandbox's longest message text. A scenario
 * sent to the API runs in the server, and a regex with catastrophic backtracking takes time that
 * grows with the text; bounded, it stays short. A longer text (a link's URL has no limit) is not
 * matched at all.
 */
export const MAX_REGEX_TEXT = 1000;

function regex(source: string, flags: string): RegExp | string {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    return `/${source}/ is not a regular expression: ${(error as Error).message}`;
  }
}

/** How many capturing groups a regex has: matched against "", an always-empty branch tells. */
function groupCount(pattern: RegExp): number {
  const withEmpty = new RegExp(`(?:${pattern.source})|`, pattern.flags.replace(/[gy]/g, ""));
  return (withEmpty.exec("")?.length ?? 1) - 1;
}

/** Checks one reply against the matcher and captures the variables the step asks for. */
export function matchReply(
  message: SandboxMessage,
  matcher: ReplyMatcher,
  capture: Readonly<Captures>,
  fill: Fill,
): ReplyVerdict {
  const text = messageText(message);
  if (matcher.type !== null && message.type !== matcher.type) {
    return { met: false, why: `it is a ${message.type} message, not ${matcher.type}` };
  }
  if (matcher.text !== null) {
    const expected = fill(matcher.text);
    if (text !== expected) return { met: false, why: `its text is not ${quoted(expected)}` };
  }
  for (const part of matcher.contains) {
    const expected = fill(part);
    if (!text.includes(expected)) {
      return { met: false, why: `its text does not contain ${quoted(expected)}` };
    }
  }
  const captured: Record<string, string> = {};
  const usesRegex = matcher.matches !== null || Object.keys(capture).length > 0;
  if (usesRegex && text.length > MAX_REGEX_TEXT) {
    return {
      met: false,
      why: `its text is longer than ${MAX_REGEX_TEXT} characters, more than a regular expression is run on`,
    };
  }
  if (matcher.matches !== null) {
    const pattern = regex(matcher.matches.source, matcher.matches.flags);
    if (typeof pattern === "string") return { met: false, why: pattern };
    const found = pattern.exec(text);
    if (!found) return { met: false, why: `its text does not match ${pattern}` };
    // A group of a branch that did not match (`(?<a>x)|(?<b>y)` on "y") captures "": the
    // variable is set either way, so a later step's {{a}} is filled in rather than unknown.
    for (const [name, value] of Object.entries(found.groups ?? {})) captured[name] = value ?? "";
  }
  for (const [name, { source, flags }] of Object.entries(capture)) {
    const pattern = regex(source, flags);
    if (typeof pattern === "string") return { met: false, why: pattern };
    const found = pattern.exec(text);
    if (!found) return { met: false, why: `${pattern} (capturing ${name}) finds nothing in it` };
    // Group 1; the whole match only for a regex without groups. A group 1 that took no part
    // in the match (`(\d+)?`, a branch not taken) captures "", not the whole match.
    captured[name] = groupCount(pattern) === 0 ? found[0] : (found[1] ?? "");
  }
  return { met: true, captured };
}

/** What the step expects, in words: "a reply containing "x" and matching /y/". */
export function describeMatcher(
  matcher: ReplyMatcher,
  capture: Readonly<Captures>,
  fill: Fill,
): string {
  const parts: string[] = [];
  if (matcher.type !== null) parts.push(`of type ${matcher.type}`);
  if (matcher.text !== null) parts.push(`equal to ${quoted(fill(matcher.text))}`);
  if (matcher.contains.length > 0) {
    parts.push(`containing ${matcher.contains.map((c) => quoted(fill(c))).join(" and ")}`);
  }
  if (matcher.matches !== null) {
    parts.push(`matching /${matcher.matches.source}/${matcher.matches.flags}`);
  }
  const captures = Object.entries(capture).map(
    ([name, { source, flags }]) => `${name} by /${source}/${flags}`,
  );
  const described = parts.length > 0 ? `a reply ${parts.join(", ")}` : "any reply";
  return captures.length > 0 ? `${described}, capturing ${captures.join(", ")}` : described;
}

/** A reply as a failure shows it: a text quoted, other content in brackets. */
export function describeReply(message: SandboxMessage): string {
  if (message.type === "text") return quoted(message.content?.text ?? "");
  if (message.type === "system") return `system ${quoted(message.content?.text ?? "")}`;
  return renderMessage(message);
}
