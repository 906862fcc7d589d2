// A small real bot for the scenario engine's tests: a webhook receiver on loopback, subscribed as
// the seller's account, that answers buyers through the messenger API as a test's `brain` says.
// Like a production bot it answers each webhook 200 at once and acts after, skips its own
// messages, waits out 429 and 503 (Retry-After) and takes a new token when its own is refused.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface HeardMessage {
  chatId: string;
  authorId: number;
  type: string;
  text: string | null;
  content: Record<string, unknown>;
}

/** What the bot does about one buyer message, in order. */
export type BotAction =
  | { say: string }
  /** Says it, then deletes it (a bot taking back a wrong answer). */
  | { sayThenDelete: string }
  | { read: true }
  | { blacklist: true }
  | { pauseMs: number };

export type Brain = (message: HeardMessage) => BotAction[];

export interface BotAccount {
  user_id: number;
  client_id: string;
  client_secret: string;
}

export interface TestBot {
  /** The webhook URL it listens on. */
  url: string;
  readonly userId: number;
  /** Buyers' messages it heard, in arrival order. */
  heard: HeardMessage[];
  /** Its messenger API calls answered 429 or 503 (it waited and called again). */
  refusals: number;
  brain: Brain;
  /** Serves another account from now on (a fixture world's seller): signs in and subscribes. */
  useAccount(account: BotAccount): Promise<void>;
  close(): Promise<void>;
}

const MAX_ATTEMPTS = 30;

export async function startTestBot(
  base: string,
  account: BotAccount,
  brain: Brain,
): Promise<TestBot> {
  let current = account;
  let token: string | null = null;
  const pending = new Set<Promise<void>>();

  const signIn = async (): Promise<string> => {
    const response = await fetch(`${base}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: current.client_id,
        client_secret: current.client_secret,
      }),
    });
    if (!response.ok) throw new Error(`token answered ${response.status}`);
    return ((await response.json()) as { access_token: string }).access_token;
  };

  const api = async (path: string, body: unknown): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      token ??= await signIn();
      const response = await fetch(`${base}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (response.ok) return text === "" ? {} : JSON.parse(text);
      if (attempt >= MAX_ATTEMPTS) throw new Error(`${path} answered ${response.status}: ${text}`);
      if (response.status === 401 || response.status === 403) {
        token = null;
      } else if (response.status === 429 || response.status >= 500) {
        bot.refusals++;
        const retryAfter = Number(response.headers.get("retry-after") ?? "0");
        await new Promise((resolve) =>
          setTimeout(resolve, retryAfter > 0 ? retryAfter * 1000 : 100),
        );
      } else {
        throw new Error(`${path} answered ${response.status}: ${text}`);
      }
    }
  };

  const act = async (message: HeardMessage): Promise<void> => {
    const chat = `/messenger/v1/accounts/${current.user_id}/chats/${encodeURIComponent(message.chatId)}`;
    for (const action of bot.brain(message)) {
      if ("say" in action)
        await api(`${chat}/messages`, { message: { text: action.say }, type: "text" });
      else if ("sayThenDelete" in action) {
        const said = (await api(`${chat}/messages`, {
          message: { text: action.sayThenDelete },
          type: "text",
        })) as { id: string };
        await api(`${chat}/messages/${encodeURIComponent(said.id)}`, {});
      } else if ("read" in action) await api(`${chat}/read`, {});
      else if ("blacklist" in action) {
        await api(`/messenger/v2/accounts/${current.user_id}/blacklist`, {
          users: [{ user_id: message.authorId, context: { reason_id: 1 } }],
        });
      } else await new Promise((resolve) => setTimeout(resolve, action.pauseMs));
    }
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      response.writeHead(200).end("{}");
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as {
        payload?: { type: string; value: Record<string, unknown> };
      };
      const value = body.payload?.type === "message" ? body.payload.value : null;
      if (!value || value.author_id === current.user_id || value.type === "deleted") return;
      const content = (value.content ?? {}) as Record<string, unknown>;
      const message: HeardMessage = {
        chatId: String(value.chat_id),
        authorId: Number(value.author_id),
        type: String(value.type),
        text: typeof content.text === "string" ? content.text : null,
        content,
      };
      bot.heard.push(message);
      const acting = act(message).catch(() => {});
      pending.add(acting);
      void acting.finally(() => pending.delete(acting));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));

  const subscribe = async () => {
    token = null;
    await api("/messenger/v3/webhook", { url: bot.url });
  };

  const bot: TestBot = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/avito/webhook`,
    get userId() {
      return current.user_id;
    },
    heard: [],
    refusals: 0,
    brain,
    useAccount: async (next) => {
      current = next;
      await subscribe();
    },
    close: async () => {
      await Promise.all(pending);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  await subscribe();
  return bot;
}
