// A FAQ bot on @beseda/avito-messenger: greets a buyer with the item's title, answers questions
// about delivery, price, payment and pickup, says when the item was removed, blacklists whoever
// asks it to stop, and echoes anything else. examples/faq-bot/scenarios test it (README.md).
//   AVITO_CLIENT_ID=… AVITO_CLIENT_SECRET=… [AVITO_BASE_URL=http://127.0.0.1:8080] [PORT=0] \
//   [PUBLIC_URL=https://bot.example.com/avito/webhook] node examples/faq-bot/bot.ts
import { createServer } from "node:http";
import { AvitoMessenger, type Chat } from "@beseda/avito-messenger";
import { nodeHandler } from "@beseda/avito-messenger/webhooks";

const { AVITO_CLIENT_ID, AVITO_CLIENT_SECRET = "", AVITO_BASE_URL, PORT = "0" } = process.env;
const client = new AvitoMessenger({
  clientId: AVITO_CLIENT_ID,
  clientSecret: AVITO_CLIENT_SECRET,
  baseUrl: AVITO_BASE_URL,
  // A buyer is waiting: ride out a 429 storm (each 429 waits its Retry-After, and every call of
  // the client waits with it) and a few 5xx with short backoffs, but give up on a server that
  // asks for more than 30 s rather than answer a minute late. Expired tokens are renewed anyway.
  maxRetries: 12,
  backoff: { baseMs: 250, capMs: 4_000 },
  maxRetryAfterMs: 30_000,
  timeoutMs: 10_000,
  // An answer takes three calls: let twenty go at once. The client still fits the budget under
  // the server's X-RateLimit-Limit (Beseda's: 600 a minute), so it never causes a 429 storm.
  budget: { requestsPerMinute: 600, burst: 60 },
  onRetry: ({ operation, attempt, reason, delayMs }) =>
    console.warn(`retry ${operation} #${attempt} (${reason}) in ${delayMs} ms`),
});

/** status_id 20 in a chat's item context: the items API (getItemInfo) calls it "removed". */
const ITEM_REMOVED = 20;
type ItemContext = NonNullable<NonNullable<Chat["context"]>["value"]>;

/** First matching rule answers; `item` is the chat's item (null in a u2u chat). */
const RULES: [RegExp, (item: ItemContext | null) => string][] = [
  [/доставк/, () => "Доставка по Москве — 500 ₽, 1–2 дня."],
  [/цен|сколько стоит/, (item) => `Цена — ${item?.price_string ?? "в объявлении"}.`],
  [/оплат/, () => "Оплата наличными или переводом при получении."],
  [/адрес|самовывоз/, () => "Самовывоз: Москва, ул. Тверская, 1, ежедневно с 10 до 20."],
  [
    /здравствуйте|привет/,
    (item) =>
      item?.title
        ? `Здравствуйте! «${item.title}» ещё продаётся. Спросите о доставке, цене или оплате.`
        : "Здравствуйте! Чем могу помочь?",
  ],
];
const STOP = /стоп|не пишите/;
/** Buyers who asked us to stop: Avito refuses their messages now, this only saves the calls. */
const stopped = new Set<number>();

// Verified, deduplicated, own messages skipped; answered 200 at once, handled after.
const handler = nodeHandler({ secret: AVITO_CLIENT_SECRET }, async ({ payload }, { signal }) => {
  const { chat_id, chat_type, author_id, item_id, type, content } = payload.value;
  if (type !== "text" || !content.text || stopped.has(author_id)) return;
  const text = content.text.toLowerCase();
  // Reading messages does not mark the chat read; the buyer sees "read" before the answer.
  await client.chatRead(chat_id, { signal });
  if (STOP.test(text)) {
    stopped.add(author_id);
    const context = item_id ? { item_id } : undefined;
    await client.postBlacklistV2({ users: [{ user_id: author_id, context }] }, { signal });
    return;
  }
  // The item as it is now (title, price, status): the webhook carries only its id.
  const item =
    chat_type === "u2i"
      ? ((await client.getChatByIdV2(chat_id, { signal })).context?.value ?? null)
      : null;
  const answer =
    item?.status_id === ITEM_REMOVED
      ? "К сожалению, это объявление снято с публикации."
      : (RULES.find(([pattern]) => pattern.test(text))?.[1](item) ?? `Эхо: ${content.text}`);
  await client.postSendMessage(chat_id, answer, { signal });
});

const server = createServer(handler).listen(Number(PORT));
await new Promise((resolve) => server.once("listening", resolve));
const port = (server.address() as { port: number }).port;
const url = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}/avito/webhook`;
await client.postWebhookV3({ url }); // Avito probes the URL first: the handler answers it.
console.log(`faq bot listening on ${url}`);
// Stop taking deliveries, finish the answers already started, then exit.
process.once("SIGTERM", () => {
  server.close();
  void handler.drain().then(() => process.exit(0));
});
