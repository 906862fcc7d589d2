// Whether a reply meets an `expect: reply` step, and both sides of a failure as a person reads
// them: "a reply containing "продаётся"" against ""Нет в наличии"". Pure: {{variables}} are
// filled in by the `fill` the caller gives, with the run's variables.
import { messageText, renderMessage } from "./conversation.ts";
import type { ReplyMatcher } from "./model.ts";
import type { SandboxMessage } from "./sandbox-shapes.ts";

export type ReplyVerdict =
  /** Met: the variables it captured (named groups of `matches`, then `capture`). */
  | { met: true; captured: Record<string, string> }
  /** Not met: which part did not hold, in a few words. */
  | { met: false; why: string };

/** Fills {{variables}} of a template: the run's, as the engine knows them. */
export type Fill = (template: string) => string;

function quoted(text: string): string {
  return JSON.stringify(text);
}

function regex(source: string, flags: string): RegExp | string {
  try {
    return new RegExp(source, flags);
  } catch (error) {
    return `/${source}/ is not a regular expression: ${(error as Error).message}`;
  }
}

/** Checks one reply against the matcher and captures the variables the step asks for. */
export function matchReply(
  message: SandboxMessage,
  matcher: ReplyMatcher,
  capture: Readonly<Record<string, string>>,
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
  if (matcher.matches !== null) {
    const pattern = regex(matcher.matches.source, matcher.matches.flags);
    if (typeof pattern === "string") return { met: false, why: pattern };
    const found = pattern.exec(text);
    if (!found) return { met: false, why: `its text does not match ${pattern}` };
    for (const [name, value] of Object.entries(found.groups ?? {})) {
      if (value !== undefined) captured[name] = value;
    }
  }
  for (const [name, source] of Object.entries(capture)) {
    const pattern = regex(source, "");
    if (typeof pattern === "string") return { met: false, why: pattern };
    const found = pattern.exec(text);
    if (!found) return { met: false, why: `${pattern} (capturing ${name}) finds nothing in it` };
    captured[name] = found[1] ?? found[0];
  }
  return { met: true, captured };
}

/** What the step expects, in words: "a reply containing "x" and matching /y/". */
export function describeMatcher(
  matcher: ReplyMatcher,
  capture: Readonly<Record<string, string>>,
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
  const captures = Object.entries(capture).map(([name, source]) => `${name} by /${source}/`);
  const described = parts.length > 0 ? `a reply ${parts.join(", ")}` : "any reply";
  return captures.length > 0 ? `${described}, capturing ${captures.join(", ")}` : described;
}

/** A reply as a failure shows it: a text quoted, other content in brackets. */
export function describeReply(message: SandboxMessage): string {
  if (message.type === "text") return quoted(message.content?.text ?? "");
  if (message.type === "system") return `system ${quoted(message.content?.text ?? "")}`;
  return renderMessage(message);
}
