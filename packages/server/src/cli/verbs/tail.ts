// `beseda tail`: follows the sandbox live, as lines a person reads: every new message of every
// chat (or of one chat, or of one account's chats) and every webhook delivery attempt, until
// Ctrl-C. It polls the sandbox API twice a second, so it works against any Beseda.
import { setTimeout as sleep } from "node:timers/promises";
import type { ChatOverview } from "../../domain/sandbox/world-overview.ts";
import { messageLine, type PrintedMessage } from "../format.ts";
import type { SandboxClient } from "../sandbox-client.ts";
import { integerOption, requiredInteger, type Verb } from "../verb.ts";
import { accountNames } from "./chat.ts";

const POLL_MS = 500;
const PAGE = 1000;

interface Delivery {
  id: string;
  user_id: number;
  chat_id: string;
  message_id: string;
  status: string;
  attempts: {
    number: number;
    url: string;
    duration_ms: number;
    status: number | null;
    error: string | null;
  }[];
}

/** New messages since the last poll: `since` is the second of the newest seen, inclusive. */
class MessageFollower {
  #since: number;
  #seenAtSince = new Set<string>();

  constructor(since: number) {
    this.#since = since;
  }

  async poll(client: SandboxClient, chatId: string | null): Promise<PrintedMessage[]> {
    const query = new URLSearchParams({ since: String(this.#since), limit: String(PAGE) });
    if (chatId) query.set("chat_id", chatId);
    const { messages } = await client.call<{ messages: PrintedMessage[] }>(
      "GET",
      `/messages?${query}`,
    );
    const fresh = messages.filter(
      (m) => !(m.created === this.#since && this.#seenAtSince.has(m.id)),
    );
    const last = messages.at(-1);
    if (last && last.created > this.#since) {
      this.#since = last.created;
      this.#seenAtSince = new Set();
    }
    for (const message of messages)
      if (message.created === this.#since) this.#seenAtSince.add(message.id);
    // A full page of one second cannot move on from that second: skip to the next one.
    if (messages.length === PAGE && messages.every((m) => m.created === this.#since)) {
      this.#since += 1;
      this.#seenAtSince = new Set();
    }
    return fresh;
  }
}

/** Attempts not printed yet, newest deliveries first as the log lists them, printed oldest first. */
class DeliveryFollower {
  readonly #seen = new Set<string>();
  #primed = false;

  async poll(
    client: SandboxClient,
    userId: number | null,
    chatId: string | null,
  ): Promise<string[]> {
    const query = new URLSearchParams({ limit: "200" });
    if (userId !== null) query.set("user_id", String(userId));
    const { deliveries } = await client.call<{ deliveries: Delivery[] }>(
      "GET",
      `/webhooks/deliveries?${query}`,
    );
    const lines: string[] = [];
    for (const delivery of [...deliveries].reverse()) {
      if (chatId !== null && delivery.chat_id !== chatId) continue;
      for (const attempt of delivery.attempts) {
        const key = `${delivery.id}#${attempt.number}`;
        if (this.#seen.has(key)) continue;
        this.#seen.add(key);
        const answer =
          attempt.status === null ? (attempt.error ?? "no answer") : String(attempt.status);
        lines.push(
          `webhook → ${attempt.url}  ${answer} in ${attempt.duration_ms} ms  (message ${delivery.message_id.slice(0, 8)} of ${delivery.chat_id} to ${delivery.user_id}, attempt ${attempt.number}, ${delivery.status})`,
        );
      }
    }
    // What was there before tail started is history, not news.
    if (!this.#primed) {
      this.#primed = true;
      return [];
    }
    return lines;
  }
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
    const { now } = await client.call<{ now: number }>("GET", "/clock");
    const messages = new MessageFollower(now - back);
    const deliveries = new DeliveryFollower();
    let names = await accountNames(client);
    let chatsOfUser = new Set<string>();
    out(
      `following ${client.url}${chatId ? ` chat ${chatId}` : userId ? ` account ${userId}` : ""} (Ctrl-C ends)`,
    );
    while (!interrupted.aborted) {
      const fresh = await messages.poll(client, chatId);
      if (fresh.some((m) => !names.has(m.author_id))) names = await accountNames(client);
      if (userId !== null && fresh.some((m) => !chatsOfUser.has(m.chat_id))) {
        const { chats } = await client.call<{ chats: ChatOverview[] }>(
          "GET",
          `/chats?user_id=${userId}&limit=1000`,
        );
        chatsOfUser = new Set(chats.map((c) => c.chat_id));
      }
      for (const message of fresh) {
        if (userId === null || chatsOfUser.has(message.chat_id)) out(messageLine(message, names));
      }
      for (const line of await deliveries.poll(client, userId, chatId)) out(line);
      await sleep(POLL_MS, undefined, { signal: interrupted }).catch(() => undefined);
    }
  },
};
