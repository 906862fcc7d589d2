// Scopes' versions in a shared store (kept-answers.ts), read for many requests in one statement.
// Every read of a kept answer on PostgreSQL first asks the store whether its scope changed; under
// load, one statement a request cost more than the answer itself. One statement is in flight at a
// time; what is asked meanwhile waits, and goes in the next statement, each scope once. A read never
// joins a statement already sent: that statement may have seen the store before the request
// began, and could miss a change acknowledged before it. Waiting for the next one keeps the rule
// of the header of kept-answers.ts: a read that starts after a 200 through any node sees it.
import type { SharedVersions } from "./kept-answers.ts";

interface Waiter {
  resolve(version: string): void;
  reject(error: unknown): void;
}

/** Reads `scopes`' versions in one statement; the answer has one version for each, in order. */
export type ReadVersions = (scopes: readonly string[]) => Promise<readonly string[]>;

export class CoalescedVersionReads implements SharedVersions {
  readonly #readVersions: ReadVersions;
  readonly #maxScopes: number;
  /** Scopes asked since the statement in flight was sent, in the order they were first asked. */
  #waiting = new Map<string, Waiter[]>();
  #reading = false;

  constructor(readVersions: ReadVersions, options: { maxScopesPerStatement: number }) {
    this.#readVersions = readVersions;
    this.#maxScopes = options.maxScopesPerStatement;
  }

  read(scope: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const waiters = this.#waiting.get(scope);
      if (waiters) waiters.push({ resolve, reject });
      else this.#waiting.set(scope, [{ resolve, reject }]);
      if (!this.#reading) this.#readNext();
    });
  }

  /** Sends the next statement: the longest-waiting scopes, at most `maxScopesPerStatement`. */
  #readNext(): void {
    if (this.#waiting.size === 0) return;
    const batch: [string, Waiter[]][] = [];
    for (const entry of this.#waiting) {
      if (batch.length === this.#maxScopes) break;
      batch.push(entry);
    }
    for (const [scope] of batch) this.#waiting.delete(scope);
    this.#reading = true;
    let answered: Promise<readonly string[]>;
    try {
      answered = this.#readVersions(batch.map(([scope]) => scope));
    } catch (error) {
      answered = Promise.reject(error);
    }
    answered
      .then(
        (versions) => {
          batch.forEach(([scope, waiters], i) => {
            const version = versions[i];
            for (const waiter of waiters) {
              if (version === undefined) waiter.reject(new Error(`no version read for ${scope}`));
              else waiter.resolve(version);
            }
          });
        },
        (error: unknown) => {
          for (const [, waiters] of batch) for (const waiter of waiters) waiter.reject(error);
        },
      )
      .finally(() => {
        this.#reading = false;
        this.#readNext();
      });
  }
}
