// postWebhookV3, postWebhookUnsubscribe and getSubscriptions. An account holds one subscription:
// a new URL replaces the old one (as production does, silently). Before accepting a URL Beseda
// probes it with POST {} and wants a 200 within 2 seconds, as production does.
import { validationError } from "../../errors/beseda-error.ts";
import {
  cancelPending,
  deleteSubscription,
  findSubscription,
  putSubscription,
} from "../../store/repositories/webhook-subscriptions.ts";
import type { DomainContext } from "../context.ts";
import { WEBHOOK_USER_AGENT } from "./request-headers.ts";
import { checkPublicHost, checkWebhookUrl } from "./url-guard.ts";

export const SUBSCRIPTION_VERSION = "3";

export async function subscribe(
  ctx: DomainContext,
  userId: number,
  rawUrl: string,
): Promise<{ ok: true }> {
  // Kept as given (production lists it back unchanged); parsed only to check it.
  const url = rawUrl.trim();
  const parsed = checkWebhookUrl(url);
  if (ctx.settings.webhookMode === "production") await checkPublicHost(parsed);
  if (ctx.settings.webhookProbe) {
    const probe = await ctx.webhooks.transport.post({
      url,
      body: "{}",
      headers: { "content-type": "application/json", "user-agent": WEBHOOK_USER_AGENT },
    });
    if (probe.statusCode !== 200) {
      const why = probe.error ?? `it answered ${probe.statusCode}`;
      throw validationError(
        { url: `the probe POST {} did not get 200 within 2 s: ${why}` },
        "The webhook URL did not answer the probe",
      );
    }
  }
  await putSubscription(ctx.store.db, {
    userId,
    url,
    version: SUBSCRIPTION_VERSION,
    created: ctx.clock.now(),
  });
  // Deliveries still queued go to the new URL: the dispatcher must not reuse the old one.
  ctx.webhooks.resync();
  return { ok: true };
}

/** Ends the subscription if it is `url`; pending deliveries are cancelled. Always {"ok":true}. */
export async function unsubscribe(
  ctx: DomainContext,
  userId: number,
  rawUrl: string,
): Promise<{ ok: true }> {
  const url = rawUrl.trim();
  checkWebhookUrl(url);
  const ended = await ctx.store.transaction(async (db) => {
    const deleted = await deleteSubscription(db, userId, url);
    if (deleted) await cancelPending(db, userId, ctx.clock.nowMs());
    return deleted;
  });
  // What the dispatcher remembers of this account's queues is cancelled now.
  if (ended) ctx.webhooks.resync();
  return { ok: true };
}

export async function listSubscriptions(
  ctx: DomainContext,
  userId: number,
): Promise<{ subscriptions: { url: string; version: string }[] }> {
  const subscription = await findSubscription(ctx.store.db, userId);
  return {
    subscriptions: subscription ? [{ url: subscription.url, version: subscription.version }] : [],
  };
}
