// `beseda test --filter`: which scenarios run. TEXT matches a scenario whose name or one of its
// tags contains it (case-insensitive); /REGEX/FLAGS matches with a regular expression instead.
import type { Scenario } from "../../scenarios/model.ts";
import { UsageError } from "../verb.ts";

export type ScenarioFilter = (scenario: Scenario) => boolean;

export function scenarioFilter(text: string | undefined): ScenarioFilter {
  if (text === undefined || text === "") return () => true;
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(text);
  if (literal) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(literal[1] as string, (literal[2] as string).replace("g", ""));
    } catch (error) {
      throw new UsageError(
        `--filter ${text} is not a regular expression: ${(error as Error).message}`,
      );
    }
    return (scenario) => [scenario.name, ...scenario.tags].some((value) => pattern.test(value));
  }
  const wanted = text.toLowerCase();
  return (scenario) =>
    [scenario.name, ...scenario.tags].some((value) => value.toLowerCase().includes(wanted));
}
