// Load with webhook delivery on, for the scenarios that measure it: a receiver that answers at
// once and notes each message's first arrival, senders on node:http keep-alive connections (the
// load generator must cost less than what it measures), a world of one subscribed seller and
// its chats, and the closed loop that sends as fast as the answers come back.
import { Agent, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { benchAccount } from "./server-process.ts";

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Receiver {
  url: string;
  /** performance.now() of each message id's first arrival. */
  arrivals: Map<string, number>;
  /** Arrivals of a message id that had arrived before. */
  duplicates(): number;
  close(): Promise<void>;
}

/**
 * A receiver that answers 200 at once and notes when each message id first arrived. With
 * `byPath`, arrivals are noted by `PATH MESSAGE_ID` (each subscriber its own path), so that one
 * message delivered to both its participants counts once for each.
 */
export async function receiver(options: { byPath?: boolean } = {}): Promise<Receiver> {
  const arrivals = new Map<string, number>();
  let duplicates = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString();
      const messageId = /"value":\{"id":"([0-9a-f]{32})"/.exec(body)?.[1];
      const id = options.byPath && messageId ? `${request.url} ${messageId}` : messageId;
      if (id && !arrivals.has(id)) arrivals.set(id, at);
      else if (id) duplicates++;
      response.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    arrivals,
    duplicates: () => duplicates,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface JsonClient {
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): void;
}

/** POSTs JSON over kept-alive connections; resolves with the status and the parsed answer. */
export function jsonClient(
  base: string,
  headers: Record<string, string>,
  connections: number,
): JsonClient {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const post = (path: string, body: unknown) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const request = httpRequest(
        `${base}${path}`,
        {
          method: "POST",
          agent,
          headers: { ...headers, "content-length": Buffer.byteLength(payload) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (c: Buffer) => chunks.push(c));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString() || "{}"),
            }),
          );
        },
      );
      request.on("error", reject);
      request.end(payload);
    });
  return { post, close: () => agent.destroy() };
}

export async function sandbox(base: string, admin: string, path: string, body: unknown) {
  const response = await fetch(`${base}/sandbox/v1${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

/**
 * A seller subscribed to `hookUrl` and `count` chats of one item with as many buyers, made through
 * the sandbox API; the seller's headers for the messenger API with them.
 */
export async function webhookWorld(
  server: { url: string; adminToken: string },
  hookUrl: string,
  count: number,
) {
  const seller = await benchAccount(server, "Seller");
  const headers = {
    authorization: `Bearer ${seller.token}`,
    "content-type": "application/json",
  };
  const client = jsonClient(server.url, headers, 1);
  const subscribed = await client.post("/messenger/v3/webhook", { url: hookUrl });
  client.close();
  if (subscribed.status !== 200) throw new Error(`subscribe answered ${subscribed.status}`);
  const { item_id } = (await sandbox(
    server.url,
    server.adminToken,
    `/accounts/${seller.user_id}/items`,
    { title: "Bench" },
  )) as { item_id: number };
  const chats: string[] = [];
  for (let i = 0; i < count; i++) {
    const buyer = (await sandbox(server.url, server.adminToken, "/accounts", {
      name: `Buyer ${i}`,
    })) as { user_id: number };
    const chat = await sandbox(server.url, server.adminToken, "/chats", {
      type: "u2i",
      item_id,
      user_id: buyer.user_id,
    });
    chats.push(chat.chat_id as string);
  }
  return { seller, headers, chats };
}

export type Send = (chatId: string, text: string) => Promise<void>;

/** Waits until every sent message has arrived (or `timeoutMs` passed); the last arrival's time. */
export async function drained(
  sentAt: ReadonlyMap<string, number>,
  arrivals: ReadonlyMap<string, number>,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  const ids = [...sentAt.keys()];
  while (ids.some((id) => !arrivals.has(id)) && performance.now() < deadline) await sleep(10);
  return Math.max(...ids.map((id) => arrivals.get(id) ?? 0));
}

export function latencies(
  sentAt: ReadonlyMap<string, number>,
  arrivals: ReadonlyMap<string, number>,
) {
  return [...sentAt].flatMap(([id, at]) => {
    const arrived = arrivals.get(id);
    return arrived === undefined ? [] : [arrived - at];
  });
}

/** Every chat sending as fast as its answers come back, for `seconds`. */
export async function closedLoop(chats: readonly string[], seconds: number, send: Send) {
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    chats.map(async (chatId) => {
      for (let n = 0; performance.now() < deadline; n++) await send(chatId, `bench ${n}`);
    }),
  );
}
