// Durations as scenario files write them: "500ms", "5s", "1.5s", "2m", "1h30m", "1d", or a plain
// number of seconds. The JSON Schema's pattern (scenario.schema.json) accepts the same strings.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** One amount with its unit; "ms" is tried before "m". */
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * Milliseconds of a duration: a string of amounts with units (combined: "1h30m"), or a number of
 * seconds. Null when it is not one (a negative or non-finite number, an unknown unit, spaces).
 */
export function parseDurationMs(value: string | number): number | null {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1_000) : null;
  }
  if (value === "") return null;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < value.length) {
    const match = PART.exec(value);
    if (!match) return null;
    const [, amount = "", unit = ""] = match;
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return Math.round(total);
}

/** A duration as a person reads it: "500ms", "5s", "1.5s", "2m", "1h30m", "1d". */
export function formatDurationMs(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(3))}s`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ["d", UNIT_MS.d],
    ["h", UNIT_MS.h],
    ["m", UNIT_MS.m],
  ] as const) {
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount}${unit}`);
    rest -= amount * size;
  }
  if (rest > 0) parts.push(rest % 1_000 === 0 ? `${rest / 1_000}s` : `${rest}ms`);
  return parts.join("");
}
