// Pausing and resuming an account's webhook deliveries. While paused, new and retrying deliveries
// of the account stay queued, with no attempt made; resuming sends them in order per chat.
import { call } from "../api.ts";

export function setDeliveriesPaused(userId: number, paused: boolean): Promise<{ paused: boolean }> {
  const path = { user_id: userId };
  return paused
    ? call("post", "/sandbox/v1/accounts/{user_id}/webhooks/pause", { path })
    : call("post", "/sandbox/v1/accounts/{user_id}/webhooks/resume", { path });
}
