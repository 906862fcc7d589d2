// What stops a `beseda test` run from outside: a signal (Ctrl-C's SIGINT, SIGTERM from a CI or a
// process manager, SIGHUP when the terminal closes, SIGQUIT), or the reader of its output going
// away (`beseda test | head`: EPIPE). The first aborts the run — scenarios end, the bot and the
// server are stopped, the reports are still written — and the exit code says why: 128 + the
// signal's number, as a shell reports a process killed by it (130 SIGINT, 143 SIGTERM), and 141
// for EPIPE, which is what a process killed by SIGPIPE answers (Node ignores SIGPIPE: a write
// gets EPIPE instead). 141 rather than 1: the scenarios did not fail, the run was cut short, and
// under `set -o pipefail` a script sees it as the failure it is. A second signal quits at once
// (the supervisors of the children stop them and remove the temporary folder).
import { constants } from "node:os";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
/** A process killed by SIGPIPE: 128 + 13. */
export const EXIT_OUTPUT_GONE = 141;
/** How long the last output may take to be taken by its reader before the process ends. */
const FLUSH_TIMEOUT_MS = 10_000;

/** Resolves once what was written to `stream` is out (or cannot be: it failed, or timed out). */
export function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, FLUSH_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.once("drain", done);
    stream.once("error", done);
    stream.once("close", done);
  });
}

function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

export class Interruptions {
  readonly #controller = new AbortController();
  readonly #say: (text: string) => void;
  #exitCode: number | null = null;
  #outputGone = false;
  readonly #onSignal = (signal: NodeJS.Signals) => this.#signal(signal);
  readonly #onOutputError = (error: NodeJS.ErrnoException) => this.#outputError(error);

  /** `say`: how a note to the user is printed ("interrupted: stopping"). */
  constructor(say: (text: string) => void) {
    this.#say = say;
  }

  /** Aborts when the run is interrupted; its reason is an Error saying why. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Resolves once stdout and stderr have taken what was written, and a failed write's error has
   * been heard: EPIPE comes as an `error` event after the write, so the exit code of a reader
   * that went away while the last lines (the summary, `--json -`) were written is known only then.
   */
  async settled(): Promise<void> {
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** The exit code of the interruption (130, 143, 141…), or null while there was none. */
  get exitCode(): number | null {
    return this.#exitCode;
  }

  /** Whether stdout or stderr cannot be written any more: nothing more is written there. */
  get outputGone(): boolean {
    return this.#outputGone;
  }

  install(): void {
    for (const signal of SIGNALS) process.on(signal, this.#onSignal);
    process.stdout.on("error", this.#onOutputError);
    process.stderr.on("error", this.#onOutputError);
  }

  uninstall(): void {
    for (const signal of SIGNALS) process.off(signal, this.#onSignal);
    // The error listeners stay: a late EPIPE must not become an uncaught exception.
  }

  /** Writes `text` to `stream` unless the output is gone. */
  write(stream: NodeJS.WriteStream, text: string): void {
    if (this.#outputGone || stream.destroyed) return;
    stream.write(text);
  }

  #signal(signal: NodeJS.Signals): void {
    if (!this.#controller.signal.aborted) {
      this.#exitCode = signalExitCode(signal);
      this.#controller.abort(new Error(`interrupted (${signal})`));
      this.#say(`interrupted (${signal}): stopping (once more to quit at once)`);
      return;
    }
    process.exit(this.#exitCode ?? signalExitCode(signal));
  }

  #outputError(error: NodeJS.ErrnoException): void {
    if (this.#outputGone) return;
    this.#outputGone = true;
    if (this.#controller.signal.aborted) return;
    this.#exitCode = EXIT_OUTPUT_GONE;
    this.#controller.abort(
      new Error(`interrupted: the output cannot be written (${error.code ?? error.message})`),
    );
  }
}
