// One verb of the `beseda` command that talks to a running server, and what it is given.
import type { SandboxClient } from "./sandbox-client.ts";

export interface VerbIo {
  client: SandboxClient;
  /** Prints one line to stdout. */
  out: (line: string) => void;
  /** Ends when the user interrupts (Ctrl-C): for verbs that follow the server, like tail. */
  interrupted: AbortSignal;
}

export interface Verb {
  name: string;
  /** One line for the list of verbs. */
  summary: string;
  /** Its forms and options, printed by `beseda VERB --help` and on a usage error. */
  usage: readonly string[];
  /** Options of node:util parseArgs, beyond the connection's. */
  options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;
  run(positionals: string[], values: Record<string, unknown>, io: VerbIo): Promise<void>;
}

/** Thrown for a wrong use of a verb: the message and the verb's usage are printed, exit 2. */
export class UsageError extends Error {}

export function integerOption(value: unknown, name: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new UsageError(`--${name} must be an integer of at least ${min}, got "${text}"`);
  }
  return Number(text);
}

export function requiredInteger(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(
      `${what} must be a positive integer${value === undefined ? "" : `, got "${value}"`}`,
    );
  }
  return Number(value);
}
