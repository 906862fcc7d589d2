// The integrator's bot of the console's tests: a webhook receiver on loopback, subscribed as the
// seller, that answers "Эхо: <text>" to every text someone else writes, through the messenger API.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestApi } from "../../../server/test/helpers/api.ts";

interface WebhookMessage {
  payload?: {
    type?: string;
    value?: {
      chat_id: string;
      user_id: number;
      author_id: number;
      type: string;
      content: { text?: string };
    };
  };
}

export interface EchoBot {
  url: string;
  /** What went wrong answering (a refused postSendMessage): the tests expect none. */
  problems: string[];
  answered: number;
  close(): Promise<void>;
}

/** The integrator's bot: "Эхо: <text>" back to every text message someone else writes. */
export async function startEchoBot(api: TestApi, token: string): Promise<EchoBot> {
  const bot: EchoBot = { url: "", problems: [], answered: 0, close: async () => {} };
  const answer = async (body: string) => {
    // The subscription's probe, and anything else that is not a message, needs no answer.
    let hook: WebhookMessage;
    try {
      hook = JSON.parse(body) as WebhookMessage;
    } catch {
      return;
    }
    const message = hook.payload?.type === "message" ? hook.payload.value : undefined;
    // Its own answers come back too (the author's webhook): those it leaves alone.
    if (message?.type !== "text" || message.author_id === message.user_id) return;
    const sent = await api.call("postSendMessage", {
      token,
      params: { user_id: message.user_id, chat_id: message.chat_id },
      json: { message: { text: `Эхо: ${message.content.text}` }, type: "text" },
    });
    if (sent.status === 200) bot.answered++;
    else bot.problems.push(`postSendMessage ${sent.status}: ${sent.text}`);
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      // Acknowledged at once, answered after: a webhook receiver should not keep Beseda waiting.
      response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      answer(Buffer.concat(chunks).toString("utf8")).catch((error: unknown) =>
        bot.problems.push(String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  bot.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/avito/webhook`;
  bot.close = () => new Promise((resolve) => server.close(() => resolve()));
  const subscribed = await api.call("postWebhookV3", { token, params: {}, json: { url: bot.url } });
  if (subscribed.status !== 200) throw new Error(`postWebhookV3: ${subscribed.text}`);
  return bot;
}
