// What a child process of the runner printed: its last lines in memory (printed under a failing
// scenario or a failed start) and, when a file is given, all of it there (to follow during a run).
import { appendFileSync } from "node:fs";
import type { Readable } from "node:stream";

const KEPT_LINES = 1000;

export class OutputLog {
  readonly #file: string | null;
  readonly #lines: string[] = [];
  #partial = "";

  constructor(file: string | null) {
    this.#file = file;
  }

  /** Collects everything `stream` prints. */
  follow(stream: Readable | null): void {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => this.#add(chunk));
  }

  #add(chunk: string): void {
    if (this.#file !== null) {
      try {
        appendFileSync(this.#file, chunk);
      } catch {
        // The log file is a convenience; the lines in memory are what the report uses.
      }
    }
    const lines = (this.#partial + chunk).split(/\r?\n/);
    this.#partial = lines.pop() ?? "";
    this.#lines.push(...lines);
    if (this.#lines.length > KEPT_LINES) this.#lines.splice(0, this.#lines.length - KEPT_LINES);
  }

  /** The last `count` lines (an unfinished last line included). */
  last(count: number): string[] {
    const all = this.#partial === "" ? this.#lines : [...this.#lines, this.#partial];
    return all.slice(-count);
  }

  /** Every line kept so far, one string. */
  text(): string {
    return this.last(KEPT_LINES).join("\n");
  }
}
