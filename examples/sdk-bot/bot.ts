// An echo bot on @beseda/avito-messenger: answers every text a buyer writes to the account.
//   AVITO_CLIENT_ID=… AVITO_CLIENT_SECRET=… [AVITO_BASE_URL=http://127.0.0.1:8080] [PORT=3000] \
//   [PUBLIC_URL=https://bot.example.com/avito/webhook] node examples/sdk-bot/bot.ts
import { createServer } from "node:http";
import { AvitoMessenger } from "@beseda/avito-messenger";
import { nodeHandler } from "@beseda/avito-messenger/webhooks";

const { AVITO_CLIENT_ID, AVITO_CLIENT_SECRET = "", AVITO_BASE_URL, PORT = "3000" } = process.env;
const client = new AvitoMessenger({
  clientId: AVITO_CLIENT_ID,
  clientSecret: AVITO_CLIENT_SECRET,
  baseUrl: AVITO_BASE_URL,
});
// Verified, deduplicated, own messages skipped; answered 200 at once, handled after.
const handler = nodeHandler({ secret: AVITO_CLIENT_SECRET }, async ({ payload: { value } }) => {
  if (value.type !== "text" || !value.content.text) return;
  await client.postSendMessage(value.chat_id, `Вы написали: ${value.content.text}`);
});
const server = createServer(handler).listen(Number(PORT));
await new Promise((resolve) => server.once("listening", resolve));
const port = (server.address() as { port: number }).port;
const url = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}/avito/webhook`;
await client.postWebhookV3({ url }); // Avito probes the URL first: the handler answers it.
console.log(`echo bot listening on ${url}`);
process.once("SIGTERM", () => server.close(() => void handler.drain().then(() => process.exit(0))));
