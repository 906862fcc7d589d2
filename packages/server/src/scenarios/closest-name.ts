// "Did you mean …?" for a misspelt key, action, item or variable: the known name nearest to it.

/** Edits (insert, delete, replace, swap two neighbours) between a and b. */
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const previous = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** Names this short are not looked for inside longer ones: "a" is in too many. */
const MIN_PART_LENGTH = 3;

/**
 * The known name closest to `name` when it is near enough to be a typo of it; else the one known
 * name that contains it (a name cut short: "rate_limit" for "rate_limit_storm"); else null.
 */
export function closestName(name: string, known: Iterable<string>): string | null {
  const limit = name.length <= 4 ? 1 : 2;
  const lower = name.toLowerCase();
  let best: string | null = null;
  let bestDistance = limit + 1;
  const containing: string[] = [];
  for (const candidate of known) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
    if (lower.length >= MIN_PART_LENGTH && candidate.toLowerCase().includes(lower)) {
      containing.push(candidate);
    }
  }
  if (best !== null) return best;
  return containing.length === 1 ? (containing[0] ?? null) : null;
}

/** ` (did you mean "say"?)`, or "" when nothing is close. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const closest = closestName(name, known);
  return closest === null || closest === name ? "" : ` (did you mean "${closest}"?)`;
}
