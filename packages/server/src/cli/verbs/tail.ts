// `beseda tail`: follows the sandbox live, as lines a person reads: every new message of every
// chat (or of one chat, or of one account's chats) and every webhook delivery attempt, until
// Ctrl-C. It follows the server's event stream (GET /sandbox/v1/events), and follows it again
// from where it was when the connection drops (a restart of the server says so).
import { setTimeout as sleep } from "node:timers/promises";
import type { LiveEvent } from "../../domain/sandbox/live-events.ts";
import type { ChatOverview } from "../../domain/sandbox/world-overview.ts";
import { messageLine, type PrintedMessage } from "../format.ts";
import { CliError } from "../sandbox-client.ts";
import { integerOption, requiredInteger, type Verb } from "../verb.ts";
import { accountNames } from "./chat.ts";

const RECONNECT_MS = 1000;

/** A delivery attempt as the event stream tells it. */
type DeliveryEvent = Extract<LiveEvent, { type: "delivery" }>;

function deliveryLine(d: DeliveryEvent): string {
  const answer = d.status === null ? (d.error ?? "no answer") : String(d.status);
  return `webhook → ${d.url}  ${answer} in ${d.duration_ms} ms  (message ${d.message_id.slice(0, 8)} of ${d.chat_id} to ${d.user_id}, attempt ${d.attempt}, ${d.outcome})`;
}

export const tailVerb: Verb = {
  name: "tail",
  summary: "follow new messages and webhook deliveries live (Ctrl-C ends)",
  usage: ["beseda tail [--chat CHAT_ID | --user USER_ID] [--since SECONDS_AGO]"],
  options: { chat: { type: "string" }, user: { type: "string" }, since: { type: "string" } },
  async run(_positionals, values, { client, out, interrupted }) {
    const chatId = (values.chat as string | undefined) ?? null;
    const userId =
      values.user === undefined ? null : requiredInteger(values.user as string, "--user");
    const back = integerOption(values.since, "since", 0) ?? 0;
    let names = await accountNames(client);
    let chatsOfUser = new Set<string>();
    const printed = new Set<string>();

    const refreshChats = async () => {
      if (userId === null) return;
      const { chats } = await client.call<{ chats: ChatOverview[] }>(
        "GET",
        `/chats?user_id=${userId}&limit=1000`,
      );
      chatsOfUser = new Set(chats.map((c) => c.chat_id));
    };
    const concerns = async (chat: string) => {
      if (chatId !== null) return chat === chatId;
      if (userId === null) return true;
      if (!chatsOfUser.has(chat)) await refreshChats();
      return chatsOfUser.has(chat);
    };
    const printMessage = async (message: PrintedMessage) => {
      // A message seen again (the history, then the stream): printed once, unless it changed.
      const key = `${message.id}:${message.type}`;
      if (printed.has(key) || !(await concerns(message.chat_id))) return;
      printed.add(key);
      if (!names.has(message.author_id)) names = await accountNames(client);
      out(messageLine(message, names));
    };

    const following = `following ${client.url}${chatId ? ` chat ${chatId}` : userId ? ` account ${userId}` : ""} (Ctrl-C ends)`;
    let opened = false;
    let lost = false;
    let lastId: string | null = null;
    let history = back > 0;
    while (!interrupted.aborted) {
      const stream = client.events(lastId, interrupted);
      if (history) {
        // Opened first, so that nothing written meanwhile falls between the history and it.
        const first = stream.next();
        const { now } = await client.call<{ now: number }>("GET", "/clock");
        const query = new URLSearchParams({ since: String(now - back), limit: "1000" });
        if (chatId) query.set("chat_id", chatId);
        const { messages } = await client.call<{ messages: PrintedMessage[] }>(
          "GET",
          `/messages?${query}`,
        );
        for (const message of messages) await printMessage(message);
        history = false;
        const head = await first;
        if (!head.done) await handle(head.value);
      }
      try {
        for await (const received of stream) await handle(received);
      } catch (error) {
        // The server went away after tail had followed it: wait for it to come back.
        if (!(error instanceof CliError) || !opened) throw error;
        if (!lost) out("— lost the server; following again as soon as it is back —");
        lost = true;
      }
      if (!interrupted.aborted)
        await sleep(RECONNECT_MS, undefined, { signal: interrupted }).catch(() => undefined);
    }

    async function handle(received: {
      id: string | null;
      event: string;
      data: Record<string, unknown>;
    }) {
      if (received.id) lastId = received.id;
      switch (received.event) {
        case "open":
          if (!opened) out(following);
          else if (lost) out("— the server is back: following again —");
          opened = true;
          lost = false;
          return;
        case "message":
          await printMessage(received.data.message as PrintedMessage);
          return;
        case "delivery": {
          const delivery = received.data as unknown as DeliveryEvent;
          if (userId !== null && delivery.user_id !== userId) return;
          if (chatId !== null && delivery.chat_id !== chatId) return;
          out(deliveryLine(delivery));
          return;
        }
        case "world":
          out("— the world was replaced (a reset or an import) —");
          names = await accountNames(client);
          await refreshChats();
          return;
        case "resync":
          out("— reconnected to a restarted server: events from while it was down are not shown —");
          lastId = null;
          return;
      }
    }
  },
};
