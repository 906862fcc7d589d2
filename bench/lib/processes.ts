// Child processes of the bench: waiting for a line that says they are ready, and stopping them.
import { type ChildProcess, spawn } from "node:child_process";

export interface Running {
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Spawns a command and resolves once its output matches `ready` (its match is returned too). */
export async function spawnUntil(
  command: string,
  args: readonly string[],
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<Running & { match: RegExpExecArray }> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = ready.exec(output);
    if (match) {
      return {
        child,
        match,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill("SIGTERM");
          await exited;
        },
      };
    }
    if (child.exitCode !== null)
      throw new Error(`${command} ${args.join(" ")} exited: ${output.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(
        `${command} did not become ready within ${timeoutMs} ms: ${output.slice(-2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
