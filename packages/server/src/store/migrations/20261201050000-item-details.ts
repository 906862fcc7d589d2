// What the items API (getItemsInfo) shows of an item beyond the chat context: its address and its
// category. Both are set by whoever creates the item in the sandbox and are null when not given
// (the API then answers "" and {"id":0,"name":""}); Beseda keeps no catalogue of categories.
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("item").addColumn("address", "text").execute();
  await db.schema.alterTable("item").addColumn("category_id", "integer").execute();
  await db.schema.alterTable("item").addColumn("category_name", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("item").dropColumn("category_name").execute();
  await db.schema.alterTable("item").dropColumn("category_id").execute();
  await db.schema.alterTable("item").dropColumn("address").execute();
}
