// Webhook subscriptions: an account's one URL, where its deliveries go and what signs them, and
// what an unsubscription does to the account's unfinished deliveries (cancels them).
import type { Selectable } from "kysely";
import { precompiled } from "../precompiled.ts";
import { num } from "../records.ts";
import type { WebhookSubscriptionTable } from "../schema.ts";
import type { Db } from "../store.ts";
import type { DeliveryTarget, Subscription } from "./webhook-records.ts";

function toSubscription(row: Selectable<WebhookSubscriptionTable>): Subscription {
  return {
    userId: num(row.user_id),
    url: row.url,
    version: row.version,
    created: num(row.created),
  };
}

export async function findSubscription(db: Db, userId: number): Promise<Subscription | undefined> {
  const row = await db
    .selectFrom("webhook_subscription")
    .selectAll()
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row && toSubscription(row);
}

/** The subscribed accounts among `userIds`, each with its URL and client secret. */
export async function findTargets(
  db: Db,
  userIds: readonly number[],
): Promise<Map<number, DeliveryTarget>> {
  const targets = new Map<number, DeliveryTarget>();
  if (userIds.length === 0) return targets;
  const rows = await db
    .selectFrom("webhook_subscription")
    .innerJoin("account", "account.id", "webhook_subscription.user_id")
    .select(["webhook_subscription.user_id", "webhook_subscription.url", "account.client_secret"])
    .where("webhook_subscription.user_id", "in", userIds)
    .execute();
  for (const row of rows) targets.set(num(row.user_id), toTarget(row));
  return targets;
}

function toTarget(row: { url: string; client_secret: string }): DeliveryTarget {
  return { url: row.url, clientSecret: row.client_secret };
}

/** The chat's subscribed members, each with its URL and client secret. */
export async function findChatTargets(
  db: Db,
  chatId: string,
): Promise<Map<number, DeliveryTarget>> {
  const { rows } = await chatTargets(db, { chatId });
  return new Map(rows.map((row) => [num(row.user_id), toTarget(row)]));
}

const chatTargets = precompiled(["chatId"], (db, v) =>
  db
    .selectFrom("chat_member")
    .innerJoin("webhook_subscription", "webhook_subscription.user_id", "chat_member.user_id")
    .innerJoin("account", "account.id", "chat_member.user_id")
    .select(["chat_member.user_id", "webhook_subscription.url", "account.client_secret"])
    .where("chat_member.chat_id", "=", v.chatId),
);

/** The account's one subscription becomes `url` (a new URL replaces the old one). */
export async function putSubscription(db: Db, subscription: Subscription): Promise<void> {
  await db
    .insertInto("webhook_subscription")
    .values({
      user_id: subscription.userId,
      url: subscription.url,
      version: subscription.version,
      created: subscription.created,
    })
    .onConflict((oc) =>
      oc.column("user_id").doUpdateSet({ url: subscription.url, created: subscription.created }),
    )
    .execute();
}

export async function deleteSubscription(db: Db, userId: number, url: string): Promise<boolean> {
  const result = await db
    .deleteFrom("webhook_subscription")
    .where("user_id", "=", userId)
    .where("url", "=", url)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Every subscription, by account: the sandbox's export. */
export async function allSubscriptions(db: Db): Promise<Subscription[]> {
  const rows = await db.selectFrom("webhook_subscription").selectAll().orderBy("user_id").execute();
  return rows.map(toSubscription);
}

/** Unfinished deliveries of an account that unsubscribed: nobody is left to receive them. */
export async function cancelPending(db: Db, userId: number, nowMs: number): Promise<void> {
  await db
    .updateTable("webhook_delivery")
    .set({ status: "cancelled", finished_ms: nowMs })
    .where("user_id", "=", userId)
    .where("finished_ms", "is", null)
    .execute();
}

/** Cancels an account's unfinished deliveries if it has no subscription (any more). */
export async function cancelUnsubscribed(db: Db, userId: number, nowMs: number): Promise<void> {
  await db
    .updateTable("webhook_delivery")
    .set({ status: "cancelled", finished_ms: nowMs })
    .where("user_id", "=", userId)
    .where("finished_ms", "is", null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom("webhook_subscription").select("user_id").where("user_id", "=", userId)),
      ),
    )
    .execute();
}
