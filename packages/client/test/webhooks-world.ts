// Shared by the webhook tests: a real Beseda with the usual small world, a real node:http server
// on loopback for the receiver under test, and reads of Beseda's delivery log, which tells what
// was POSTed and what the receiver answered.
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestApi } from "../../server/test/helpers/api.ts";

export interface Delivery {
  id: string;
  user_id: number;
  message_id: string;
  status: string;
  attempts: { number: number; status: number | null; error: string | null }[];
  raw_body: string;
  headers: Record<string, string>;
}

export interface Listening {
  url: string;
  close(): Promise<void>;
}

export async function listen(listener: RequestListener): Promise<Listening> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/avito/webhook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Subscribes the account through the messenger API: Beseda probes the URL with `{}` first. */
export async function subscribe(api: TestApi, token: string, url: string): Promise<void> {
  const answer = await api.call("postWebhookV3", { params: {}, token, json: { url } });
  if (answer.status !== 200) throw new Error(`subscribe answered ${answer.status}: ${answer.text}`);
}

export async function deliveriesOf(api: TestApi, userId: number): Promise<Delivery[]> {
  const answer = await api.sandbox<{ deliveries: Delivery[] }>(
    "GET",
    `/webhooks/deliveries?user_id=${userId}`,
  );
  return answer.body.deliveries;
}

/** Polls until `read` gives a value (not undefined); fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The delivery of a message, once its attempts number `attempts` and it is delivered. */
export function deliveredAfter(
  api: TestApi,
  userId: number,
  messageId: string,
  attempts = 1,
): Promise<Delivery> {
  return eventually(`delivery of ${messageId} after ${attempts} attempt(s)`, async () =>
    (await deliveriesOf(api, userId)).find(
      (d) =>
        d.message_id === messageId && d.status === "delivered" && d.attempts.length >= attempts,
    ),
  );
}
