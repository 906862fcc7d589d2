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
