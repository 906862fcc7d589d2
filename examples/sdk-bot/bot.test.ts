// The package README's twenty-line bot, run for real as its own process against a Beseda: a buyer
// writes, the bot answers, and it keeps answering each message exactly once through every fault
// the sandbox can inject between them: an expired token (403), a 429 storm, a send whose answer is
// cut off after it was stored or before it arrived, 5xx answers, slow answers, and webhook
// deliveries that fail and are retried.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TestApi } from "../../packages/server/test/helpers/api.ts";
import type { TestServer } from "../../packages/server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../packages/server/test/helpers/world.ts";

const BOT = fileURLToPath(new URL("./bot.ts", import.meta.url));

let server: TestServer;
let api: TestApi;
let w: World;
let bot: ChildProcess;
let botOutput = "";

interface SandboxMessage {
  author_id: number;
  type: string;
  content: { text?: string };
}

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
  bot = spawn(process.execPath, [BOT], {
    env: {
      ...process.env,
      AVITO_CLIENT_ID: w.seller.client_id,
      AVITO_CLIENT_SECRET: w.seller.client_secret,
      AVITO_BASE_URL: server.url,
      PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  bot.stdout?.on("data", (chunk: Buffer) => {
    botOutput += chunk.toString();
  });
  bot.stderr?.on("data", (chunk: Buffer) => {
    botOutput += chunk.toString();
  });
  const deadline = performance.now() + 15_000;
  while (!botOutput.includes("echo bot listening on")) {
    if (performance.now() > deadline || bot.exitCode !== null) {
      throw new Error(`the bot did not start:\n${botOutput}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 60_000);

afterAll(async () => {
  if (bot && bot.exitCode === null) {
    const exited = new Promise((resolve) => bot.once("exit", resolve));
    bot.kill("SIGTERM");
    await exited;
  }
  await server?.stop();
});

async function chatMessages(): Promise<SandboxMessage[]> {
  const answer = await api.sandbox<{ messages: SandboxMessage[] }>(
    "GET",
    `/chats/${w.chatId}/messages?limit=500`,
  );
  return answer.body.messages;
}

async function fault(rule: Record<string, unknown>): Promise<void> {
  const added = await api.sandbox("POST", "/faults", { user_id: w.seller.user_id, ...rule });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
}

/** The buyer writes `text`; the bot's answer must come, once, and nothing else from the bot. */
async function askAndExpectOneAnswer(text: string): Promise<void> {
  await api.text(w.chatId, w.buyer.user_id, text);
  const answer = `Вы написали: ${text}`;
  const answers = async () =>
    (await chatMessages()).filter(
      (m) => m.content.text === answer && m.author_id === w.seller.user_id,
    ).length;
  await expect.poll(answers, { timeout: 20_000, interval: 100 }).toBe(1);
  // Give a blind resend or a second handling of a redelivery the time to show up.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await answers(), botOutput).toBe(1);
}

describe("the README's bot", () => {
  test("is this very file, as the package README prints it", () => {
    const readme = readFileSync(
      new URL("../../packages/client/README.md", import.meta.url),
      "utf8",
    );
    const section = readme.slice(readme.indexOf("## A bot in twenty lines"));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync(BOT, "utf8"));
  });

  test("answers a buyer", async () => {
    await askAndExpectOneAnswer("Здравствуйте! Велосипед ещё продаётся?");
  });

  test("through an expired token (production's 403)", async () => {
    const expired = await api.sandbox("POST", `/accounts/${w.seller.user_id}/tokens/expire`);
    expect(expired.status).toBe(200);
    await askAndExpectOneAnswer("А после истечения токена?");
  });

  test("through a 429 storm on its sends", async () => {
    await fault({ operation: "postSendMessage", status: 429, retry_after: 1, times: 3 });
    await askAndExpectOneAnswer("А если лимит?");
  });

  test("through a send whose answer is cut off after it was stored", async () => {
    await fault({ operation: "postSendMessage", drop: "after", times: 1 });
    await askAndExpectOneAnswer("А если связь оборвётся?");
  });

  test("through a 500 on a send", async () => {
    await fault({ operation: "postSendMessage", status: 500, times: 1 });
    await askAndExpectOneAnswer("А если сервер упадёт?");
  });

  test("through a send cut off before it reached the server, a 503 and a 502", async () => {
    await fault({ operation: "postSendMessage", drop: "before", times: 1 });
    await askAndExpectOneAnswer("А если запрос не дойдёт?");
    await fault({ operation: "postSendMessage", status: 503, times: 1 });
    await fault({ operation: "postSendMessage", status: 502, times: 1 });
    await askAndExpectOneAnswer("А если шлюз ошибётся?");
  });

  test("through slow answers", async () => {
    await fault({ operation: "*", latency_ms: 800, times: 3 });
    await askAndExpectOneAnswer("А если всё медленно?");
  });

  test("through webhook deliveries that fail and are retried", async () => {
    await fault({ operation: "webhook", status: 500, times: 2 });
    const ask = askAndExpectOneAnswer("А если вебхук не дойдёт?");
    // Retries are scheduled on the sandbox clock: move it so they come at once.
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await api.advanceClock(60);
    }
    await ask;
  });
});
