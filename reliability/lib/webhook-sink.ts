// A webhook receiver that keeps what the crash and soak scenarios count: when each message id
// first arrived (a global sequence, for the order within a chat), which ids it answered 200 (a
// delivery counts only then), and which arrived again in a later life of the server after it had
// already answered them 200 (redeliveries). It answers 200, except the messages of the chats in
// `failing`, answered 500: the crash scenario fails half its chats for a while, so that at the kill
// some chats have deliveries pending while others are being answered 200. The subscription probe
// (`POST {}`) always gets 200.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface WebhookSink {
  url: string;
  /** Chats whose deliveries are answered 500 now. */
  readonly failing: Set<string>;
  /** Which life of the server is delivering now; the scenario bumps it on each restart. */
  generation: number;
  /** Message id → its place in the order of first arrivals (any answer). */
  readonly firstArrival: Map<string, number>;
  /** Message id → the generation that first got a 200 for it. */
  readonly delivered: Map<string, number>;
  /** Ids answered 200 in one generation and sent again in a later one. */
  readonly redelivered: Set<string>;
  /** Requests whose body was not a message delivery nor the probe. */
  malformed: number;
  requests: number;
  close(): Promise<void>;
}

interface Delivery {
  payload?: { value?: { id?: unknown; chat_id?: unknown } };
}

export async function startWebhookSink(): Promise<WebhookSink> {
  let arrivals = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      sink.requests++;
      const delivery = deliveryOf(Buffer.concat(chunks).toString("utf8"));
      if (delivery === "probe") {
        response.writeHead(200).end();
        return;
      }
      if (delivery === undefined) {
        sink.malformed++;
        response.writeHead(400).end();
        return;
      }
      const { id, chatId } = delivery;
      if (!sink.firstArrival.has(id)) sink.firstArrival.set(id, arrivals++);
      const status = sink.failing.has(chatId) ? 500 : 200;
      if (status === 200) {
        const firstDelivered = sink.delivered.get(id);
        if (firstDelivered === undefined) sink.delivered.set(id, sink.generation);
        else if (firstDelivered < sink.generation) sink.redelivered.add(id);
      }
      response.writeHead(status).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const sink: WebhookSink = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/avito/webhook`,
    failing: new Set(),
    generation: 0,
    firstArrival: new Map(),
    delivered: new Map(),
    redelivered: new Set(),
    malformed: 0,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return sink;
}

/** The delivered message's id and chat, "probe" for the subscription probe, else undefined. */
function deliveryOf(body: string): { id: string; chatId: string } | "probe" | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  if (Object.keys(parsed).length === 0) return "probe";
  const value = (parsed as Delivery).payload?.value;
  const id = value?.id;
  const chatId = value?.chat_id;
  return typeof id === "string" && typeof chatId === "string" ? { id, chatId } : undefined;
}
