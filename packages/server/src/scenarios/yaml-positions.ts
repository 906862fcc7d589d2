// Where a value of a parsed YAML document is in its text, by its JSON path: what lets a problem
// found in the plain data (by the JSON Schema or a semantic rule) point at a line and column.
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Pair,
  visit,
} from "yaml";
import type { SourcePosition } from "./model.ts";

/** A step of a JSON path: a map's key or a list's index. */
export type PathSegment = string | number;

/** A problem found in the parsed data, by the JSON path of the value it is about. */
export interface LocatedProblem {
  path: PathSegment[];
  message: string;
  /** Where it points, when not at that value: the key at `path` (a key that should not be
   * there), or another value (the map that lacks a key). */
  at?: { key: true } | { path: PathSegment[] };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A JSON path as problems show it: `buyers[0].steps[3].expect.within`; "" for the whole file. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

export class YamlPositions {
  readonly #document: Document;
  readonly #lines: LineCounter;

  constructor(document: Document, lines: LineCounter) {
    this.#document = document;
    this.#lines = lines;
  }

  /** The 1-based line and column of a character offset in the text. */
  at(offset: number): SourcePosition {
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col };
  }

  /** Where the value at `path` starts; where its nearest written ancestor starts when absent. */
  valueAt(path: readonly PathSegment[]): SourcePosition {
    return this.at(this.#walk(path).node?.range?.[0] ?? 0);
  }

  /** Where the key of the pair at `path` is (a key that should not be there); else its value. */
  keyAt(path: readonly PathSegment[]): SourcePosition {
    const { pair, complete } = this.#walk(path);
    const key = complete ? pair?.key : null;
    if (key && typeof key === "object" && "range" in key && Array.isArray(key.range)) {
      return this.at(key.range[0] ?? 0);
    }
    return this.valueAt(path);
  }

  /** The JSON path of the map key written at `offset` (a duplicated one), or null. */
  keyPathAt(offset: number): PathSegment[] | null {
    let found: PathSegment[] | null = null;
    visit(this.#document, {
      Pair: (_, pair, ancestors) => {
        if (!isScalar(pair.key) || pair.key.range?.[0] !== offset) return undefined;
        found = [...ancestorPath(ancestors), String(pair.key.value)];
        return visit.BREAK;
      },
    });
    return found;
  }

  /** Follows `path` as far as the document has it (aliases followed). */
  #walk(path: readonly PathSegment[]): {
    node: { range?: readonly number[] | null } | null;
    pair: Pair | null;
    complete: boolean;
  } {
    let node: unknown = this.#document.contents;
    let pair: Pair | null = null;
    for (const segment of path) {
      const here = isAlias(node) ? node.resolve(this.#document) : node;
      let next: unknown;
      if (isMap(here) && typeof segment === "string") {
        // A duplicated key (itself a problem) keeps its last value, as the parsed data does.
        pair = here.items.findLast((p) => keyText(p.key) === segment) ?? null;
        next = pair?.value ?? (pair ? pair.key : undefined);
      } else if (isSeq(here) && typeof segment === "number") {
        pair = null;
        next = here.items[segment];
      }
      if (next === undefined || next === null)
        return { node: asRanged(here), pair, complete: false };
      node = next;
    }
    return { node: asRanged(node), pair, complete: true };
  }
}

/** The JSON path of a node whose ancestors (document first) are these. */
function ancestorPath(ancestors: readonly unknown[]): PathSegment[] {
  const path: PathSegment[] = [];
  for (const [index, ancestor] of ancestors.entries()) {
    if (isPair(ancestor)) {
      path.push(keyText(ancestor.key) ?? "");
    } else if (isSeq(ancestor)) {
      path.push(ancestor.items.indexOf(ancestors[index + 1] as never));
    }
  }
  return path;
}

function keyText(key: unknown): string | null {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" ? key : null;
}

function asRanged(node: unknown): { range?: readonly number[] | null } | null {
  return node !== null && typeof node === "object" ? (node as { range?: number[] | null }) : null;
}
