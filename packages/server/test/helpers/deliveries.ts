// Waiting for the webhook dispatcher to be done: a store snapshot taken while deliveries are
// pending or in flight would change under the test for reasons of its own.
import type { TestApi } from "./api.ts";

/** Waits until no webhook delivery is waiting or in flight: the store then stays as it is. */
export async function deliveriesSettled(api: TestApi): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const log = await api.sandbox<{ deliveries: { status: string }[] }>(
      "GET",
      "/webhooks/deliveries",
    );
    if (log.body.deliveries.every((d) => d.status !== "pending" && d.status !== "queued")) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("webhook deliveries did not settle");
}
