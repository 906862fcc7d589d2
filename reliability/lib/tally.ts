// What the server answered over a scenario: counts by status, requests that got no answer, and a
// few examples of each 5xx and failure for the notes. A scenario that kills the server says so
// (`interrupting`), so that the requests the kill cut off are told apart from real failures.
export class Tally {
  readonly byStatus = new Map<number, number>();
  /** Requests that got no answer while the server was meant to be up. */
  failures = 0;
  /** Requests cut off by a kill the scenario made on purpose. */
  interrupted = 0;
  interrupting = false;
  readonly examples: string[] = [];

  answered(method: string, path: string, status: number, text: string): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    if (status >= 500) this.#example(`${method} ${path} → ${status} ${text.slice(0, 200)}`);
  }

  failed(method: string, path: string, error: unknown): void {
    if (this.interrupting) {
      this.interrupted++;
      return;
    }
    this.failures++;
    this.#example(`${method} ${path} → no answer: ${describe(error)}`);
  }

  get serverErrors(): number {
    return this.#between(500, 600);
  }

  get clientErrors(): number {
    return this.#between(400, 500);
  }

  get total(): number {
    let count = this.failures + this.interrupted;
    for (const n of this.byStatus.values()) count += n;
    return count;
  }

  #between(low: number, high: number): number {
    let count = 0;
    for (const [status, n] of this.byStatus) if (status >= low && status < high) count += n;
    return count;
  }

  #example(text: string): void {
    if (this.examples.length < 5) this.examples.push(text);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
