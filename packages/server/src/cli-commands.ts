// The `beseda` command (started through cli.js). `beseda serve [flags]` starts the server
// (serve-command.ts); `beseda seed [flags]` fills an empty data dir with a generated world
// (seed-command.ts); the sandbox verbs (`beseda accounts|chat|say|clock|fault|export|import|reset|
// tail`) drive a running server (cli/sandbox-verbs.ts); `beseda test` runs scenario files against
// a bot (cli/test-command.ts). Each loads only what it needs: a verb that talks to a server over
// HTTP never loads the server.
import { runSandboxVerb, sandboxVerbsUsage } from "./cli/sandbox-verbs.ts";
import { ConfigError } from "./config.ts";

/** `beseda test` in the listing; its options are printed by `beseda test --help`. */
const TEST_USAGE_LINE = [
  "Scenarios, against a bot (a Beseda is started for the run without --url):",
  '  beseda test [FILE or FOLDER ...] [--bot "CMD"] [--url URL] [--filter TEXT] [--bail]',
  "              [--timeout 10s] [--junit FILE] [--json FILE|-]    (beseda test --help)",
].join("\n");

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "serve") return (await import("./serve-command.ts")).serveCommand(rest);
  if (command === "seed") return (await import("./seed-command.ts")).seedCommand(rest);
  if (command === "test") {
    // Its own handling of signals and of an output that went away (`beseda test | head`): the
    // run is stopped (its bot, its server, its temporary folder) and the reports still written.
    // Before the run and after it (`beseda test --help | head`) such an error is no crash.
    const quiet = () => {};
    process.stdout.on("error", quiet);
    process.stderr.on("error", quiet);
    const [{ testCommand }, { flushed }] = await Promise.all([
      import("./cli/test-command.ts"),
      import("./cli/test-run/interruptions.ts"),
    ]);
    const code = await testCommand(rest);
    // Then it ends, whatever is left: a bot's grandchild holding a pipe, a request in flight.
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    process.exit(code);
  }
  if (command !== undefined) {
    // `beseda accounts | head`: a reader that stops early is not an error of ours.
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
    const interrupt = new AbortController();
    process.once("SIGINT", () => interrupt.abort());
    const outcome = await runSandboxVerb(command, rest, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      env: process.env,
      interrupted: interrupt.signal,
    });
    if (outcome) {
      process.exitCode = outcome.exitCode;
      return;
    }
  }
  const [{ serveUsage }, { seedUsage }] = await Promise.all([
    import("./serve-command.ts"),
    import("./seed-command.ts"),
  ]);
  process.stderr.write(
    `${serveUsage()}\n\n${seedUsage()}\n\n${sandboxVerbsUsage()}\n\n${TEST_USAGE_LINE}\n`,
  );
  process.exitCode = command === undefined || command === "--help" ? 0 : 2;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`beseda: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`beseda: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
