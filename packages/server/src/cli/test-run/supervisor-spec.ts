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

/**
 * Signals whose default action dumps core. The supervisor does not end itself by one of them
 * (it would dump a core of its own): it exits 128 + the signal's number, as a shell reports it,
 * and the runner reads that code back as the signal (describeExit).
 */
export const CORE_DUMP_SIGNALS: readonly NodeJS.Signals[] = [
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGILL",
  "SIGQUIT",
  "SIGSEGV",
  "SIGSYS",
  "SIGTRAP",
  "SIGXCPU",
  "SIGXFSZ",
];
