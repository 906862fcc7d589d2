// What the fuzzer saw: violations counted by kind and grouped by what went wrong where (method,
// route, status, problem), with one example per group to replay; and the measurements (answers by
// status class, distinct (route, status) pairs, requests the server never answered).
import type { ViolationKind } from "./fuzz-checks.ts";

export interface Example {
  index: number;
  method: string;
  path: string;
  status: number | string;
  body: string;
  variant: string;
}

interface Group {
  kind: ViolationKind;
  key: string;
  count: number;
  example: Example;
}

export const VIOLATION_KINDS: readonly ViolationKind[] = ["5xx", "envelope", "invalid 2xx", "leak"];
/** At most this many groups of a kind are written out in the notes. */
const GROUPS_SHOWN = 10;

function excerpt(text: string, length = 200): string {
  const flat = text.replaceAll(/\s+/g, " ");
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

export class FuzzFindings {
  readonly #groups = new Map<string, Group>();
  readonly #counts = new Map<ViolationKind, number>(VIOLATION_KINDS.map((k) => [k, 0]));
  readonly byClass = new Map<string, number>();
  readonly pairs = new Set<string>();
  readonly unanswered = new Map<string, { count: number; example: Example }>();
  sent = 0;

  answered(label: string, status: number): void {
    this.sent++;
    const statusClass = `${Math.floor(status / 100)}xx`;
    this.byClass.set(statusClass, (this.byClass.get(statusClass) ?? 0) + 1);
    this.pairs.add(`${label} ${status}`);
  }

  noAnswer(label: string, why: string, example: Example): void {
    this.sent++;
    this.byClass.set("none", (this.byClass.get("none") ?? 0) + 1);
    const key = `${label}: ${why.replaceAll(/\d+/g, "N")}`;
    const seen = this.unanswered.get(key);
    if (seen) seen.count++;
    else this.unanswered.set(key, { count: 1, example });
  }

  violation(kind: ViolationKind, what: string, route: string, example: Example): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
    const key = `${kind}|${example.method} ${route}|${example.status}|${what.replaceAll(/\d{5,}|[0-9a-f]{32}/g, "…")}`;
    const group = this.#groups.get(key);
    if (group) group.count++;
    else
      this.#groups.set(key, {
        kind,
        key,
        count: 1,
        example: { ...example, body: excerpt(example.body) },
      });
  }

  count(kind: ViolationKind): number {
    return this.#counts.get(kind) ?? 0;
  }

  /** One note per violated kind: its groups, most frequent first, each with an example to replay. */
  notes(seed: number): string[] {
    const notes: string[] = [];
    for (const kind of VIOLATION_KINDS) {
      const groups = [...this.#groups.values()]
        .filter((g) => g.kind === kind)
        .sort((a, b) => b.count - a.count);
      if (groups.length === 0) continue;
      const lines = groups.slice(0, GROUPS_SHOWN).map((g) => {
        const [, where = "", , what = ""] = g.key.split("|");
        const e = g.example;
        return `  ${g.count} × ${where} → ${e.status}: ${what} — e.g. #${e.index} (${e.variant}) ${e.method} ${excerpt(e.path, 160)} → ${e.body}`;
      });
      const hidden =
        groups.length > GROUPS_SHOWN
          ? ` (${groups.length - GROUPS_SHOWN} more groups not shown)`
          : "";
      notes.push(
        `${kind}: ${this.count(kind)} in ${groups.length} groups${hidden}; replay one with BESEDA_FUZZ_REPLAY=<#> node reliability/run.ts --only fuzz --seed ${seed}\n${lines.join("\n")}`,
      );
    }
    if (this.unanswered.size > 0) {
      const lines = [...this.unanswered.entries()]
        .sort((a, b) => b[1].count - a[1].count)
        .slice(0, GROUPS_SHOWN)
        .map(
          ([key, { count, example }]) =>
            `  ${count} × ${key} — e.g. #${example.index} (${example.variant}) ${example.method} ${excerpt(example.path, 120)}`,
        );
      notes.push(`requests without an answer (measured, not an invariant):\n${lines.join("\n")}`);
    }
    return notes;
  }
}
