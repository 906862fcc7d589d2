// Reads a value of the server's process every `intervalMs` (RSS, open files) until stopped. A
// read that fails (the process is gone) ends the sampling rather than the scenario.

export interface Sampled<T> {
  /** Seconds since the sampler started. */
  at: number;
  value: T;
}

export interface Sampler<T> {
  readonly samples: Sampled<T>[];
  stop(): Sampled<T>[];
}

export function startSampler<T>(intervalMs: number, read: () => T): Sampler<T> {
  const started = performance.now();
  const samples: Sampled<T>[] = [];
  const take = () => {
    try {
      samples.push({ at: (performance.now() - started) / 1000, value: read() });
    } catch {
      clearInterval(timer);
    }
  };
  const timer = setInterval(take, intervalMs);
  take();
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}
