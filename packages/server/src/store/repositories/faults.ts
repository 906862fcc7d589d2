// The sandbox's fault rules (see domain/sandbox/faults.ts): the store is their truth, the domain
// keeps a snapshot in memory and writes each rule's counts back here.
import type { Selectable } from "kysely";
import { num, numOrNull } from "../records.ts";
import type { FaultRuleTable } from "../schema.ts";
import type { Db } from "../store.ts";

export interface FaultRuleRecord {
  id: number;
  operation: string;
  userId: number | null;
  chatId: string | null;
  status: number | null;
  latencyMs: number | null;
  drop: "before" | "after" | null;
  retryAfter: number | null;
  times: number | null;
  probability: number | null;
  /** As given; null: derived from the id. */
  seed: number | null;
  until: number | null;
  fired: number;
  matched: number;
  created: number;
}

export type NewFaultRule = Omit<FaultRuleRecord, "id" | "fired" | "matched">;

function toRule(row: Selectable<FaultRuleTable>): FaultRuleRecord {
  return {
    id: num(row.id),
    operation: row.operation,
    userId: numOrNull(row.user_id),
    chatId: row.chat_id,
    status: row.status,
    latencyMs: row.latency_ms,
    drop: row.drop_when,
    retryAfter: row.retry_after,
    times: row.times,
    probability: row.probability,
    seed: numOrNull(row.seed),
    until: numOrNull(row.until_time),
    fired: row.fired,
    matched: row.matched,
    created: num(row.created),
  };
}

/** Stores a new rule; returns it with its id. */
export async function insertFaultRule(db: Db, rule: NewFaultRule): Promise<FaultRuleRecord> {
  const row = await db
    .insertInto("fault_rule")
    .values({
      operation: rule.operation,
      user_id: rule.userId,
      chat_id: rule.chatId,
      status: rule.status,
      latency_ms: rule.latencyMs,
      drop_when: rule.drop,
      retry_after: rule.retryAfter,
      times: rule.times,
      probability: rule.probability,
      seed: rule.seed,
      until_time: rule.until,
      created: rule.created,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRule(row);
}

/** Every rule, oldest first (the order in which they are consulted). */
export async function listFaultRules(db: Db): Promise<FaultRuleRecord[]> {
  const rows = await db.selectFrom("fault_rule").selectAll().orderBy("id").execute();
  return rows.map(toRule);
}

export async function findFaultRule(db: Db, id: number): Promise<FaultRuleRecord | undefined> {
  const row = await db.selectFrom("fault_rule").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toRule(row);
}

export async function deleteFaultRule(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom("fault_rule").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Removes every rule; returns how many there were. */
export async function deleteAllFaultRules(db: Db): Promise<number> {
  const result = await db.deleteFrom("fault_rule").executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * One more match, or firing, of a rule limited in times, unless it is spent (fired `times`
 * times): answers the new count, or null when spent (or removed).
 */
export async function countLimitedRule(
  db: Db,
  id: number,
  count: "matched" | "fired",
): Promise<number | null> {
  const row = await db
    .updateTable("fault_rule")
    .set((eb) => ({ [count]: eb(count, "+", 1) }))
    .where("id", "=", id)
    .where((eb) => eb.or([eb("times", "is", null), eb("fired", "<", eb.ref("times"))]))
    .returning(count)
    .executeTakeFirst();
  if (!row) return null;
  return count === "matched"
    ? (row as { matched: number }).matched
    : (row as { fired: number }).fired;
}

/**
 * Adds how many more times each rule matched and fired (a rule removed meanwhile is skipped):
 * increments, so that nodes sharing the store count into the same rule.
 */
export async function updateFaultCounts(
  db: Db,
  counts: readonly { id: number; fired: number; matched: number }[],
): Promise<void> {
  for (const { id, fired, matched } of counts) {
    if (fired === 0 && matched === 0) continue;
    await db
      .updateTable("fault_rule")
      .set((eb) => ({ fired: eb("fired", "+", fired), matched: eb("matched", "+", matched) }))
      .where("id", "=", id)
      .execute();
  }
}
