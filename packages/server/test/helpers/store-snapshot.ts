// Every row of every table, in a stable order: compare two snapshots to prove that a refused
// request changed nothing.
import type { Store } from "../../src/store/store.ts";

const TABLES = [
  "account",
  "item",
  "chat",
  "chat_member",
  "message",
  "blacklist",
  "token",
  "authorization_code",
  "app_redirect_uri",
  "setting",
  "image",
  "voice",
  "webhook_subscription",
  "webhook_delivery",
  "webhook_pause",
  "fault_rule",
] as const;

export async function storeSnapshot(store: Store): Promise<string> {
  const tables: Record<string, string[]> = {};
  for (const table of TABLES) {
    const rows = await store.db.selectFrom(table).selectAll().execute();
    tables[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return JSON.stringify(tables);
}
