// Regular expressions as scenario files write them (`matches`, `capture`): JavaScript syntax,
// `matches` also as /source/flags. Named groups of a `matches` become variables.

export interface RegexText {
  source: string;
  flags: string;
}

/** /source/flags: what `matches` may also be written as. */
const LITERAL = /^\/(.+)\/([a-z]*)$/s;
/** Flags that keep a match free of state (no g, no y: each reply is matched afresh). */
const ALLOWED_FLAGS = /^(?!.*(.).*\1)[dimsuv]*$/;

/** A `matches` value as a source and flags: /source/flags split up, anything else as it is. */
export function regexText(text: string): RegexText {
  const literal = LITERAL.exec(text);
  return literal
    ? { source: literal[1] ?? "", flags: literal[2] ?? "" }
    : { source: text, flags: "" };
}

/** Why `regex` cannot be used, or null: bad flags, or what the engine says of its syntax. */
export function regexProblem(regex: RegexText): string | null {
  if (!ALLOWED_FLAGS.test(regex.flags)) {
    return `"/${regex.flags}" are not flags it can take: use some of d, i, m, s, u, v (each once)`;
  }
  try {
    new RegExp(regex.source, regex.flags);
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8: "Invalid regular expression: /(a/: Unterminated group" → "unterminated group".
    const reason = message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, "");
    return `is not a regular expression: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`;
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
