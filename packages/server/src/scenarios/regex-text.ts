// Regular expressions as scenario files write them (`matches`, `capture`): JavaScript syntax, or
// /source/flags. Named groups of a `matches` become variables.

export interface RegexText {
  source: string;
  flags: string;
}

/** /source/flags: what `matches` and `capture` may also be written as. */
const LITERAL = /^\/(.+)\/([a-z]*)$/s;
/** The flags a regex may take: those that keep a match free of state (no g, no y: each reply is
 * matched afresh). */
const ALLOWED_FLAGS = ["d", "i", "m", "s", "u", "v"];

/** A `matches` or `capture` value as a source and flags: /source/flags split up, anything else
 * as it is. */
export function regexText(text: string): RegexText {
  const literal = LITERAL.exec(text);
  return literal
    ? { source: literal[1] ?? "", flags: literal[2] ?? "" }
    : { source: text, flags: "" };
}

/**
 * Why `regex` cannot be used, or null: a flag it may not take, or what the engine says of its
 * syntax. `label` names the value in the message ("matches").
 */
export function regexProblem(regex: RegexText, label: string): string | null {
  const flags = [...regex.flags];
  const wrong = flags.find((flag) => !ALLOWED_FLAGS.includes(flag));
  if (wrong !== undefined) {
    const why =
      wrong === "g" || wrong === "y" ? " (it keeps state from one reply to the next)" : "";
    return `flag "${wrong}" is not allowed${why}: use some of ${ALLOWED_FLAGS.join(", ")}`;
  }
  const twice = flags.find((flag, index) => flags.indexOf(flag) !== index);
  if (twice !== undefined) return `flag "${twice}" is given twice: give each flag once`;
  if (flags.includes("u") && flags.includes("v")) {
    return `flags "u" and "v" do not go together ("v" is "u" with more): use one`;
  }
  try {
    new RegExp(regex.source, regex.flags);
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8: "Invalid regular expression: /(a/: Unterminated group" → "unterminated group".
    const reason = message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "");
    return `${label} is not a regular expression: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
  }
}

/** The names of the named groups, (?<name>…), of a regex source, in order. */
export function namedGroups(source: string): string[] {
  const names: string[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === "\\") {
      i++;
    } else if (inClass) {
      if (char === "]") inClass = false;
    } else if (char === "[") {
      inClass = true;
    } else if (char === "(" && source.startsWith("?<", i + 1)) {
      const group = /^\?<([^>=!][^>]*)>/.exec(source.slice(i + 1));
      if (group?.[1]) names.push(group[1]);
    }
  }
  return names;
}
