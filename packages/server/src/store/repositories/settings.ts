// Server state that must outlive a restart: the sandbox clock's offset, for one.
import type { Db } from "../store.ts";

export async function getSetting(db: Db, key: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("setting")
    .select("value")
    .where("key", "=", key)
    .executeTakeFirst();
  return row?.value;
}

export async function putSetting(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto("setting")
    .values({ key, value })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
    .execute();
}

/** Several settings at once (the values nodes poll to follow each other's changes). */
export async function getSettings(db: Db, keys: readonly string[]): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom("setting")
    .select(["key", "value"])
    .where("key", "in", keys)
    .execute();
  return new Map(rows.map((row) => [row.key, row.value]));
}
