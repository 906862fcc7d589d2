// The one clock of the whole server. Real time plus an offset that the sandbox API advances, so
// tests and integrators can move token expiry, the delete window and link expiry forward without
// waiting. This is the only module that may read Date.now().
export interface Clock {
  /** Milliseconds since the epoch, sandbox time. */
  nowMs(): number;
  /** Whole seconds since the epoch, sandbox time: what the API's timestamps carry. */
  now(): number;
  /** Milliseconds since the epoch, real time: for what must not move with the sandbox clock. */
  realNowMs(): number;
}

export class SandboxClock implements Clock {
  #offsetMs: number;

  constructor(offsetMs = 0) {
    this.#offsetMs = offsetMs;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  setOffsetMs(offsetMs: number): void {
    this.#offsetMs = offsetMs;
  }

  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Milliseconds since the epoch, real time: for what must not move with the sandbox clock. */
  realNowMs(): number {
    return Date.now();
  }

  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }
}

/** Milliseconds since the epoch, real time: for tools outside the server (`beseda test`). */
export function realNowMs(): number {
  return Date.now();
}
