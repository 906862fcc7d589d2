// What a child process of the runner printed: its last lines in memory (printed under a failing
// scenario or a failed start, and in the JUnit report) and, when a file is given (--bot-log),
// all of it there. Lines end at \n, \r\n or a lone \r (a progress bar redraws its line with \r);
// a line longer than MAX_LINE_CHARS is cut, so no output can grow the memory without bound.
import { appendFileSync } from "node:fs";
import type { Readable } from "node:stream";

const KEPT_LINES = 1000;
/** The longest line kept; longer ones are cut (a line that never ends is cut into pieces). */
export const MAX_LINE_CHARS = 8192;

function cut(line: string): string {
  return line.length <= MAX_LINE_CHARS
    ? line
    : `${line.slice(0, MAX_LINE_CHARS)}… (${line.length - MAX_LINE_CHARS} more characters)`;
}

export class OutputLog {
  readonly #file: string | null;
  readonly #lines: string[] = [];
  /** Lines ended so far, kept or not: what a mark counts. */
  #ended = 0;
  #partial = "";
  #afterCarriageReturn = false;
  #fileFailed = false;

  /** `file`: where everything is appended too (it exists: the caller made it). */
  constructor(file: string | null) {
    this.#file = file;
  }

  /** Collects everything `stream` prints. */
  follow(stream: Readable | null): void {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => this.add(chunk));
    // A stream destroyed while it is read (the process stopped) is no error of the log's.
    stream?.on("error", () => {});
  }

  add(chunk: string): void {
    if (this.#file !== null && !this.#fileFailed) {
      try {
        appendFileSync(this.#file, chunk);
      } catch {
        // A full disk or a removed folder: the lines in memory are what the report uses.
        this.#fileFailed = true;
      }
    }
    // A "\r\n" split across chunks: the "\r" ended the line already.
    const text = this.#afterCarriageReturn && chunk.startsWith("\n") ? chunk.slice(1) : chunk;
    this.#afterCarriageReturn = chunk.endsWith("\r");
    const lines = (this.#partial + text).split(/\r\n|\r|\n/);
    let partial = lines.pop() ?? "";
    while (partial.length > MAX_LINE_CHARS) {
      lines.push(partial.slice(0, MAX_LINE_CHARS));
      partial = partial.slice(MAX_LINE_CHARS);
    }
    this.#partial = partial;
    for (const line of lines) this.#lines.push(cut(line));
    this.#ended += lines.length;
    if (this.#lines.length > KEPT_LINES) this.#lines.splice(0, this.#lines.length - KEPT_LINES);
  }

  /** Where the output stands now: what `since` counts from. */
  mark(): number {
    return this.#ended;
  }

  /** The last `count` lines (an unfinished last line included). */
  last(count: number): string[] {
    return this.since(0, count);
  }

  /** The last `count` lines of those printed since `mark` (as far as they are kept). */
  since(mark: number, count: number): string[] {
    const firstKept = this.#ended - this.#lines.length;
    const lines = this.#lines.slice(Math.max(0, mark - firstKept));
    if (this.#partial !== "") lines.push(this.#partial);
    return lines.slice(-count);
  }

  /** Every line kept so far, one string. */
  text(): string {
    return this.last(KEPT_LINES).join("\n");
  }
}
