// The child processes `beseda test` starts (its own Beseda, the user's bot), each behind a
// supervisor (supervisor.ts) that puts it in a process group of its own: Ctrl-C in the terminal
// reaches only the runner, which then stops them in order (closing the supervisor's stdin:
// SIGTERM to the child's whole group, so a shell's children go too, then SIGKILL after a grace).
// The supervisors hold the lifeline, not the runner's code: a runner that exits or is killed
// outright (SIGKILL, its process group killed by a CI timeout) closes their stdin by ending, and
// they stop the children and remove their temporary folders without it.
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { CORE_DUMP_SIGNALS, type SupervisorSpec } from "./supervisor-spec.ts";

const SUPERVISOR = fileURLToPath(new URL("./supervisor.ts", import.meta.url));
/** How long a supervisor may take beyond the child's grace before it is killed. */
const SUPERVISOR_SLACK_MS = 5_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GroupProcess {
  /** The supervisor: the child's stdout and stderr are its. */
  supervisor: ChildProcess;
  /** Settles when the child has ended, its supervisor with it (never rejects). */
  exited: Promise<Exit>;
  /** Null while it runs. */
  exit(): Exit | null;
  /** Stops it (SIGTERM to its group, SIGKILL after its grace); resolves once it has ended. */
  stop(): Promise<void>;
}

/**
 * "code 3", "SIGKILL": how an exit reads in a message. A supervisor whose child a core-dumping
 * signal killed exits 128 + its number instead of dying by it (supervisor.ts): read as the signal.
 */
export function describeExit(exit: Exit): string {
  if (exit.signal !== null) return exit.signal;
  const dumped = CORE_DUMP_SIGNALS.find((signal) => exit.code === 128 + constants.signals[signal]);
  return dumped ?? `code ${exit.code}`;
}

/** Starts `spec` behind a supervisor, with the child's stdout and stderr piped to this process. */
export function spawnGroup(spec: SupervisorSpec, env: NodeJS.ProcessEnv): GroupProcess {
  const supervisor = spawn(process.execPath, [SUPERVISOR, JSON.stringify(spec)], {
    env,
    // A group (and session) of its own: the runner's group may be killed, not the lifeline.
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  // The lifeline is only ever closed, never written; its end is the supervisor's business.
  supervisor.stdin?.on("error", () => {});
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    supervisor.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    // The supervisor could not be started at all (it is Node itself: hardly ever).
    supervisor.once("error", () => {
      exit ??= { code: null, signal: null };
      resolve(exit);
    });
  });
  return {
    supervisor,
    exited,
    exit: () => exit,
    async stop() {
      if (exit === null) {
        supervisor.stdin?.end();
        // A wedged supervisor (it should never be) must not hang the run.
        const timer = setTimeout(
          () => supervisor.kill("SIGKILL"),
          spec.graceMs + SUPERVISOR_SLACK_MS,
        );
        await exited;
        clearTimeout(timer);
      }
      // A process that escaped the group (a daemon) may hold the output pipes open: they are
      // not waited for.
      supervisor.stdout?.destroy();
      supervisor.stderr?.destroy();
    },
  };
}
