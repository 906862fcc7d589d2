// What the runner tells supervisor.ts to run: its one argument, JSON. Shared by the two sides.

export interface SupervisorSpec {
  command: string;
  args: string[];
  /** Run `command` through the shell (the user's --bot "CMD"). */
  shell: boolean;
  /** How long the child has between SIGTERM and SIGKILL. */
  graceMs: number;
  /**
   * A temporary folder to make (with this name prefix) before the child starts and remove once
   * it has ended; each argument equal to TEMP_DIR_ARG is replaced by its path. Null: none.
   */
  tempDirPrefix: string | null;
}

/** The argument that stands for the temporary folder in SupervisorSpec.args. */
export const TEMP_DIR_ARG = "{temp-dir}";
