// Statements on the send path, built with Kysely once and then run with new values. Building and
// compiling a wide insert (frozen node trees, a visitor pass) costs more than SQLite takes to run
// it; a message send runs several. The query is compiled on first use for each dialect (the
// compiled text differs between SQLite and PostgreSQL), with a marker for each value; each later
// run puts the values where their markers were.
import { type Compilable, CompiledQuery, type QueryResult } from "kysely";
import type { Db } from "./store.ts";

interface Plan {
  sql: string;
  /** For each parameter: the name of the value that goes there, or a constant of the query. */
  slots: ({ value: string } | { constant: unknown })[];
}

/**
 * `build` gets a marker for each of `names` and must put each marker, untouched, where its value
 * goes (as a column's value or a comparison's operand). The markers are typed `never`, so that
 * they fit any column. Every value is bound: an undefined one is written as null.
 */
export function precompiled<Name extends string, Row = unknown>(
  names: readonly Name[],
  build: (db: Db, values: Record<Name, never>) => Compilable<Row>,
): (db: Db, values: Partial<Record<Name, unknown>>) => Promise<QueryResult<Row>> {
  // One plan per dialect's adapter: a transaction shares its database's.
  const plans = new WeakMap<object, Plan>();

  function plan(db: Db): Plan {
    const adapter = db.getExecutor().adapter;
    let found = plans.get(adapter);
    if (!found) {
      const markers = Object.fromEntries(names.map((name) => [name, new Marker(name)]));
      const compiled = build(db, markers as Record<Name, never>).compile();
      const slots = compiled.parameters.map((parameter) =>
        parameter instanceof Marker ? { value: parameter.name } : { constant: parameter },
      );
      const used = new Set(slots.flatMap((slot) => ("value" in slot ? [slot.value] : [])));
      const unused = names.filter((name) => !used.has(name));
      if (unused.length > 0) throw new Error(`precompiled query leaves out ${unused.join(", ")}`);
      found = { sql: compiled.sql, slots };
      plans.set(adapter, found);
    }
    return found;
  }

  return async (db, values) => {
    const { sql, slots } = plan(db);
    const parameters = slots.map((slot) =>
      "value" in slot ? (values[slot.value as Name] ?? null) : slot.constant,
    );
    return db.executeQuery<Row>(CompiledQuery.raw(sql, parameters));
  };
}

class Marker {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}
