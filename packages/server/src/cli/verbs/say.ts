// `beseda say CHAT_ID --as USER_ID TEXT`: writes in a chat as any of its participants.
import { formatTime, messageText, type PrintedMessage } from "../format.ts";
import { requiredInteger, UsageError, type Verb } from "../verb.ts";

export const sayVerb: Verb = {
  name: "say",
  summary: "write a text in a chat as any participant (play the buyer)",
  usage: ["beseda say CHAT_ID --as USER_ID [--quote MESSAGE_ID] TEXT..."],
  options: { as: { type: "string" }, quote: { type: "string" }, json: { type: "boolean" } },
  async run([chatId, ...words], values, { client, out }) {
    if (!chatId) throw new UsageError("say needs a CHAT_ID");
    const text = words.join(" ").trim();
    if (!text) throw new UsageError("say needs a TEXT");
    const authorId = requiredInteger(values.as as string | undefined, "--as");
    const message = await client.call<PrintedMessage>(
      "POST",
      `/chats/${encodeURIComponent(chatId)}/messages`,
      {
        author_id: authorId,
        type: "text",
        content: { text },
        ...(values.quote === undefined ? {} : { quote_id: values.quote }),
      },
    );
    if (values.json) return out(JSON.stringify(message, null, 2));
    out(
      `${formatTime(message.created)}  sent ${message.id}: ${messageText({ ...message, read: null, deleted: null, quote_id: null, chat_id: chatId })}`,
    );
  },
};
