// The slope of a series over time (least squares): how a soak tells "levels off" from "grows".

export interface Sample {
  /** Seconds since the start. */
  at: number;
  value: number;
}

/** Units per minute; 0 for fewer than two samples. */
export function slopePerMinute(samples: readonly Sample[]): number {
  if (samples.length < 2) return 0;
  const meanAt = samples.reduce((sum, s) => sum + s.at, 0) / samples.length;
  const meanValue = samples.reduce((sum, s) => sum + s.value, 0) / samples.length;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.at - meanAt) * (s.value - meanValue);
    variance += (s.at - meanAt) ** 2;
  }
  return variance === 0 ? 0 : (covariance / variance) * 60;
}

/**
 * The median of each `seconds`-long window, placed at the window's middle: a series smoothed of
 * its sawtooth (worker threads started and ended, garbage collected) before its slope is read.
 */
export function windowMedians(samples: readonly Sample[], seconds: number): Sample[] {
  const windows = new Map<number, number[]>();
  for (const sample of samples) {
    const window = Math.floor(sample.at / seconds);
    windows.set(window, [...(windows.get(window) ?? []), sample.value]);
  }
  return [...windows].map(([window, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { at: (window + 0.5) * seconds, value: sorted[Math.floor(sorted.length / 2)] ?? 0 };
  });
}
