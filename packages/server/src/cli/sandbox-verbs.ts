// The verbs of `beseda` that drive a running server's sandbox (README, "The sandbox from the
// command line"): parses the verb's options, finds the server and its admin token, runs it.
// Exit codes: 0 done, 1 the server refused or could not be reached, 2 a wrong use of the verb.
import { parseArgs } from "node:util";
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectionOf } from "./connection.ts";
import { CliError, SandboxClient, type SandboxClientOptions } from "./sandbox-client.ts";
import { UsageError, type Verb } from "./verb.ts";
import { accountsVerb } from "./verbs/accounts.ts";
import { chatVerb } from "./verbs/chat.ts";
import { clockVerb } from "./verbs/clock.ts";
import { faultVerb } from "./verbs/fault.ts";
import { sayVerb } from "./verbs/say.ts";
import { tailVerb } from "./verbs/tail.ts";
import { exportVerb, importVerb, resetVerb } from "./verbs/world.ts";

/** What a verb's user can do when the server is not there, or refuses the admin token. */
const VERB_HINTS: SandboxClientOptions = {
  unreachableHint: "start one with `npm start` or give --url",
  unauthorizedHint: "give --admin-token (or BESEDA_ADMIN_TOKEN), or --data-dir of the server",
};

export const SANDBOX_VERBS: readonly Verb[] = [
  accountsVerb,
  chatVerb,
  sayVerb,
  clockVerb,
  faultVerb,
  exportVerb,
  importVerb,
  resetVerb,
  tailVerb,
];

export function sandboxVerbsUsage(): string {
  return [
    "Sandbox verbs, against a running server:",
    ...SANDBOX_VERBS.map((verb) => `  beseda ${verb.name.padEnd(9)} ${verb.summary}`),
    "",
    "Each takes:",
    ...CONNECTION_USAGE,
    "`beseda VERB --help` shows a verb's forms.",
  ].join("\n");
}

function verbUsage(verb: Verb): string {
  return ["Usage:", ...verb.usage.map((line) => `  ${line}`), "", ...CONNECTION_USAGE].join("\n");
}

export interface VerbOutcome {
  exitCode: number;
}

/** Runs `beseda NAME argv…`; undefined when NAME is not a sandbox verb. */
export async function runSandboxVerb(
  name: string,
  argv: string[],
  io: {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    env: NodeJS.ProcessEnv;
    interrupted: AbortSignal;
  },
): Promise<VerbOutcome | undefined> {
  const verb = SANDBOX_VERBS.find((v) => v.name === name);
  if (!verb) return undefined;
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout(`${verbUsage(verb)}\n`);
    return { exitCode: 0 };
  }
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...CONNECTION_OPTIONS, ...verb.options },
      allowPositionals: true,
      strict: true,
    });
    const client = new SandboxClient(connectionOf(values, io.env), VERB_HINTS);
    await verb.run(positionals, values, {
      client,
      out: (line) => io.stdout(`${line}\n`),
      interrupted: io.interrupted,
    });
    return { exitCode: 0 };
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`beseda ${name}: ${error.message}\n`);
      return { exitCode: 1 };
    }
    // parseArgs throws TypeErrors with codes ERR_PARSE_ARGS_*: a wrong use, like ours.
    const code = (error as { code?: string }).code ?? "";
    if (error instanceof UsageError || code.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`beseda ${name}: ${(error as Error).message}\n\n${verbUsage(verb)}\n`);
      return { exitCode: 2 };
    }
    throw error;
  }
}
