// The lifeline of a child process of `beseda test` (its own Beseda, the user's bot): a tiny Node
// process between the runner and the child, run as `node supervisor.ts SPEC`. It starts the
// child in a process group of its own and kills that group (SIGTERM, SIGKILL after the grace)
// as soon as its stdin — a pipe only the runner holds — closes: when the runner stops it, and
// also when the runner dies in a way no code of its own can handle (SIGKILL, a CI timeout that
// kills the job's process group: the supervisor is in a group of its own, so it outlives the
// runner's). Once the child has ended it removes the temporary folder it made for it, and ends
// the way the child ended (its exit code, or killed by the same signal; 128 + N for a signal that
// dumps core, which would dump the supervisor's own), which is how the runner learns it.
// The child's stdout and stderr are the supervisor's: the runner's pipes.
// It imports nothing of Beseda but its spec: it must start fast, whatever state the runner is in.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { CORE_DUMP_SIGNALS, type SupervisorSpec, TEMP_DIR_ARG } from "./supervisor-spec.ts";

/** Signals that stop the child as the closing of stdin does. */
const STOP_SIGNALS = ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"] as const;
/** What a shell answers for a command it cannot start. */
const EXIT_NOT_STARTED = 127;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** What a shell answers for a process killed by `signal`: 128 + its number. */
function signalCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * Ends this process as the child ended: with its code, or by its signal — except a signal that
 * dumps core, which would dump this process's own: then 128 + its number, as a shell says it.
 */
function endLike(code: number | null, signal: NodeJS.Signals | null): never {
  if (signal !== null && !CORE_DUMP_SIGNALS.includes(signal)) {
    for (const stop of STOP_SIGNALS) process.removeAllListeners(stop);
    try {
      process.kill(process.pid, signal);
    } catch {
      // Not a signal that can be sent: the shell's way of saying it below.
    }
    // A signal this process ignores (Node ignores SIGPIPE) or that has not landed yet.
    process.exit(signalCode(signal));
  }
  process.exit(signal !== null ? signalCode(signal) : (code ?? EXIT_NOT_STARTED));
}

function supervise(spec: SupervisorSpec): void {
  const tempDir =
    spec.tempDirPrefix === null ? null : mkdtempSync(join(tmpdir(), spec.tempDirPrefix));
  const args = spec.args.map((arg) => (arg === TEMP_DIR_ARG && tempDir !== null ? tempDir : arg));
  const child = spawn(spec.command, args, {
    shell: spec.shell,
    detached: true,
    stdio: ["ignore", "inherit", "inherit"],
  });
  let ended = false;
  const end = (code: number | null, signal: NodeJS.Signals | null) => {
    if (ended) return;
    ended = true;
    // What its leader left in the group (a shell's children) goes with it.
    signalGroup(child, "SIGKILL");
    if (tempDir !== null) {
      rmSync(tempDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    }
    endLike(code, signal);
  };
  child.once("exit", end);
  // The command could not be started at all (no such executable): it never exits.
  child.once("error", (error) => {
    process.stderr.write(`beseda test: cannot start ${spec.command}: ${error.message}\n`);
    end(EXIT_NOT_STARTED, null);
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    signalGroup(child, "SIGTERM");
    setTimeout(() => signalGroup(child, "SIGKILL"), spec.graceMs).unref();
  };
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
  // Signals sent to this process itself (`kill PID`): it is in no terminal's foreground group.
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
}

supervise(JSON.parse(process.argv[2] ?? "{}") as SupervisorSpec);
