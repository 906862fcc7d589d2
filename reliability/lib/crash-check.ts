// What the crash scenario counts after the restart: acknowledged messages missing from their
// chats, acknowledged uploads that can no longer be sent or served, acknowledged messages the
// receiver never got a 200 for (hurried by the sandbox clock), and messages whose first arrival
// came before an earlier message of the same chat.
import type { BesedaClient } from "./beseda-client.ts";
import type { AckedMessage, AckedUpload } from "./crash-load.ts";
import { sleep } from "./sleep.ts";
import type { WebhookSink } from "./webhook-sink.ts";
import { paths, type Seller } from "./world.ts";

/** The chat's message ids, oldest first, as getMessagesV3 pages them (offset at most 1000). */
export async function chatMessageIds(
  client: BesedaClient,
  seller: Seller,
  chatId: string,
): Promise<string[]> {
  const newestFirst: string[] = [];
  for (let offset = 0; offset <= 1000; offset += 100) {
    const page = await client.request<{ id: string }[]>(
      "GET",
      paths.messages(seller.user_id, chatId, offset),
      { token: seller.token },
    );
    if (page.status !== 200) throw new Error(`getMessagesV3 answered ${page.status}: ${page.text}`);
    newestFirst.push(...page.body.map((m) => m.id));
    if (page.body.length < 100) break;
  }
  return newestFirst.reverse();
}

/** Acknowledged messages that are not in their chat. */
export function lostMessages(
  acked: readonly AckedMessage[],
  stored: ReadonlyMap<string, readonly string[]>,
): AckedMessage[] {
  const present = new Set([...stored.values()].flat());
  return acked.filter((m) => !present.has(m.id));
}

/**
 * Acknowledged uploads that cannot be sent as an image message into `chatId`, or one of whose
 * sizes does not serve 200 (at the restarted server's origin: the port changed).
 */
export async function lostUploads(
  client: BesedaClient,
  seller: Seller,
  chatId: string,
  uploads: readonly AckedUpload[],
): Promise<{ upload: AckedUpload; why: string }[]> {
  const lost: { upload: AckedUpload; why: string }[] = [];
  for (const upload of uploads) {
    const sent = await client.request("POST", paths.sendImage(seller.user_id, chatId), {
      token: seller.token,
      json: { image_id: upload.imageId },
    });
    if (sent.status !== 200) {
      lost.push({ upload, why: `sending it answered ${sent.status}: ${sent.text.slice(0, 200)}` });
      continue;
    }
    for (const [size, url] of Object.entries(upload.sizes)) {
      const { pathname } = new URL(url);
      const served = await client.request("GET", pathname);
      if (served.status !== 200) {
        lost.push({ upload, why: `its ${size} answered ${served.status}` });
        break;
      }
    }
  }
  return lost;
}

/**
 * Advances the sandbox clock a minute at a time (retries run on it) until the receiver has
 * answered 200 for every id, or `timeoutMs` of real time passed; the ids still undelivered.
 */
export async function awaitDeliveries(
  client: BesedaClient,
  sink: WebhookSink,
  ids: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const missing = ids.filter((id) => !sink.delivered.has(id));
    if (missing.length === 0 || performance.now() > deadline) return missing;
    const advanced = await client.sandbox("POST", "/clock", { advance_seconds: 60 });
    if (advanced.status !== 200) throw new Error(`the clock answered ${advanced.status}`);
    await sleep(200);
  }
}

/**
 * Messages that first arrived before an earlier message of their chat had first arrived: each
 * chat's deliveries must go out in the chat's order. `chatOrder` holds ids oldest first.
 */
export function outOfOrder(
  chatOrder: readonly string[],
  firstArrival: ReadonlyMap<string, number>,
): string[] {
  const late: string[] = [];
  let latestSoFar = -1;
  for (const id of chatOrder) {
    const arrival = firstArrival.get(id);
    if (arrival === undefined) continue;
    if (arrival < latestSoFar) late.push(id);
    latestSoFar = Math.max(latestSoFar, arrival);
  }
  return late;
}
