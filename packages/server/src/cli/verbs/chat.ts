// `beseda chat`: list chats, show one conversation as both people see it, or open a chat.
import type { AccountOverview, ChatOverview } from "../../domain/sandbox/world-overview.ts";
import { formatTime, messageLine, type PrintedMessage } from "../format.ts";
import type { SandboxClient } from "../sandbox-client.ts";
import { integerOption, requiredInteger, UsageError, type Verb } from "../verb.ts";

export async function accountNames(client: SandboxClient): Promise<Map<number, string>> {
  const { accounts } = await client.call<{ accounts: AccountOverview[] }>("GET", "/accounts");
  return new Map(accounts.map((a) => [a.user_id, a.name]));
}

function chatLine(chat: ChatOverview, names: ReadonlyMap<number, string>): string {
  const users = chat.users
    .map(
      (u) =>
        `${names.get(u.user_id) ?? u.user_id} (${u.user_id}${u.unread_count ? `, ${u.unread_count} unread` : ""})`,
    )
    .join(" ↔ ");
  const item = chat.item_id === null ? "" : `  item ${chat.item_id}`;
  return `${chat.chat_id}  ${formatTime(chat.updated)}  ${users}${item}`;
}

function openBody(values: Record<string, unknown>): Record<string, unknown> {
  if (values.item !== undefined) {
    return {
      type: "u2i",
      item_id: requiredInteger(values.item as string, "--item"),
      user_id: requiredInteger(values.buyer as string | undefined, "--buyer"),
    };
  }
  if (values.users !== undefined) {
    const ids = String(values.users).split(",");
    if (ids.length !== 2) throw new UsageError("--users takes two user ids: A,B");
    return { type: "u2u", user_ids: ids.map((id) => requiredInteger(id, "--users")) };
  }
  if (values.avito !== undefined) {
    return { type: "a2u", user_id: requiredInteger(values.avito as string, "--avito") };
  }
  throw new UsageError("chat open needs --item ITEM --buyer USER, --users A,B or --avito USER");
}

export const chatVerb: Verb = {
  name: "chat",
  summary: "list chats, show a conversation, or open a chat",
  usage: [
    "beseda chat list [--user USER_ID] [--limit N] [--json]",
    "beseda chat show CHAT_ID [--limit N] [--json]      (its messages, oldest first)",
    "beseda chat open --item ITEM_ID --buyer USER_ID     (u2i: a buyer asks about an item)",
    "beseda chat open --users A,B | --avito USER_ID      (u2u, or with Avito itself)",
  ],
  options: {
    json: { type: "boolean" },
    user: { type: "string" },
    limit: { type: "string" },
    item: { type: "string" },
    buyer: { type: "string" },
    users: { type: "string" },
    avito: { type: "string" },
  },
  async run([action, chatId], values, { client, out }) {
    const limit = integerOption(values.limit, "limit") ?? 100;
    if (action === "open") {
      const chat = await client.call<{ chat_id: string; user_ids: number[] }>(
        "POST",
        "/chats",
        openBody(values),
      );
      if (values.json) return out(JSON.stringify(chat, null, 2));
      return out(`${chat.chat_id}  (users ${chat.user_ids.join(", ")})`);
    }
    if (action === "show") {
      if (!chatId) throw new UsageError("chat show needs a CHAT_ID");
      const query = new URLSearchParams({ chat_id: chatId, limit: String(Math.min(limit, 1000)) });
      const { messages } = await client.call<{ messages: PrintedMessage[] }>(
        "GET",
        `/messages?${query}`,
      );
      if (values.json) return out(JSON.stringify(messages, null, 2));
      if (messages.length === 0) return out(`no messages in ${chatId} yet`);
      const names = await accountNames(client);
      for (const message of messages) out(messageLine(message, names));
      if (messages.length === Number(query.get("limit"))) {
        out(`(the first ${messages.length} messages; --limit up to 1000 shows more)`);
      }
      return;
    }
    if (action !== "list" && action !== undefined)
      throw new UsageError(`unknown chat action "${action}"`);
    const query = new URLSearchParams({ limit: String(Math.min(limit, 1000)) });
    if (values.user !== undefined)
      query.set("user_id", String(requiredInteger(values.user as string, "--user")));
    const { chats } = await client.call<{ chats: ChatOverview[] }>("GET", `/chats?${query}`);
    if (values.json) return out(JSON.stringify(chats, null, 2));
    if (chats.length === 0) return out("no chats (beseda chat open …)");
    const names = await accountNames(client);
    for (const chat of chats) out(chatLine(chat, names));
  },
};
