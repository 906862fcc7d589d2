// How the console writes times, prices and sizes: Russian conventions, as Avito's own pages do.
// Times are the sandbox clock's (unix seconds), shown in the browser's time zone.

const time = new Intl.DateTimeFormat("ru-RU", { hour: "2-digit", minute: "2-digit" });
const day = new Intl.DateTimeFormat("ru-RU", { day: "numeric", month: "long", year: "numeric" });
const dateTime = new Intl.DateTimeFormat("ru-RU", {
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

export function formatTime(unixSeconds: number): string {
  return time.format(unixSeconds * 1000);
}

export function formatDay(unixSeconds: number): string {
  return day.format(unixSeconds * 1000);
}

export function formatDateTime(unixSeconds: number): string {
  return dateTime.format(unixSeconds * 1000);
}

/** The same calendar day (in the browser's time zone). */
export function sameDay(a: number, b: number): boolean {
  return new Date(a * 1000).toDateString() === new Date(b * 1000).toDateString();
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "1h30m", "45s", "2d" → seconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+[dhms])+$/.test(trimmed)) return null;
  const units: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };
  let seconds = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([dhms])/g)) {
    seconds += Number(amount) * (units[unit ?? "s"] ?? 1);
  }
  return seconds;
}

/** The non-empty lines of a textarea, trimmed: one redirect URI per line. */
export function nonEmptyLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
