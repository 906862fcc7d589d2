// Texts with {{variables}} (say, send, expected replies): the names a template uses, checked when
// the file is parsed, and the text filled in when its step runs. `{{ name }}` may have spaces.

/** A {{…}} and its content, spaces trimmed. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** A variable's name: `order`, or a dotted built-in such as `buyer.name`, `item.sofa-2.url`. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*$/;

/** The variable names a template uses, each once, in order of first use. */
export function templateVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? "";
    if (VARIABLE_NAME.test(name)) names.add(name);
  }
  return [...names];
}

/** What is wrong with a template's {{…}} (an empty or odd name, a `{{` never closed), or null. */
export function templateSyntaxProblem(text: string): string | null {
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? "";
    if (!VARIABLE_NAME.test(name)) {
      return `"${match[0]}" is not a variable: write {{name}} with a name of letters, digits, _ (and dots for built-ins such as buyer.name)`;
    }
  }
  if (text.replace(PLACEHOLDER, "").includes("{{")) {
    return `a "{{" is never closed: write a variable as {{name}}`;
  }
  return null;
}

/**
 * The template with each {{name}} replaced by its value. A name without a value throws: the
 * parser lets through only names that will have one, so this is a bug or a hand-made Scenario.
 */
export function fillTemplate(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (!VARIABLE_NAME.test(name)) return whole;
    if (!Object.hasOwn(variables, name)) throw new Error(`unknown variable {{${name}}}`);
    return variables[name] ?? "";
  });
}
