// The child processes `beseda test` starts (its own Beseda, the user's bot), each in a process
// group of its own: Ctrl-C in the terminal reaches only the runner, which then stops them in
// order (SIGTERM to the whole group, so a shell's children go too, then SIGKILL after a grace),
// and a runner that exits anyway takes them down with it.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GroupProcess {
  child: ChildProcess;
  /** Settles when the process has exited (never rejects). */
  exited: Promise<Exit>;
  /** Null while it runs. */
  exit(): Exit | null;
  /** SIGTERM to its group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs: number): Promise<void>;
}

const running = new Set<GroupProcess>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A runner that exits without stopping them (an uncaught error, a second Ctrl-C) still must
  // not leave a server or a bot behind; only synchronous work is possible here.
  process.on("exit", () => {
    for (const group of running) signalGroup(group.child, "SIGKILL");
  });
}

/** Starts `command` detached (a new process group) with stdout and stderr piped. */
export function spawnGroup(
  command: string,
  args: string[],
  options: Omit<SpawnOptions, "detached" | "stdio">,
): GroupProcess {
  installExitHook();
  const child = spawn(command, args, {
    ...options,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    // A command that cannot be started at all (ENOENT of the executable) never exits.
    child.once("error", () => {
      exit ??= { code: null, signal: null };
      resolve(exit);
    });
  });
  const group: GroupProcess = {
    child,
    exited,
    exit: () => exit,
    async stop(graceMs) {
      if (exit === null) {
        signalGroup(child, "SIGTERM");
        const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // The group's other members (a shell's children) may outlive its leader.
      signalGroup(child, "SIGKILL");
      running.delete(group);
    },
  };
  running.add(group);
  return group;
}
