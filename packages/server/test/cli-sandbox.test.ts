// The sandbox verbs of `beseda`, run as a user runs them (`node src/cli.js VERB …` in a child
// process) against a real server: what they print, what they change, and their exit codes.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TestApi } from "./helpers/api.ts";
import { startReceiver } from "./helpers/receiver.ts";
import { freePort, runCli, startServerProcess } from "./helpers/server-process.ts";
import { type TestServer, tempDataDir } from "./helpers/test-server.ts";
import { serverWithWorld, type World } from "./helpers/world.ts";

let server: TestServer;
let api: TestApi;
let w: World;

beforeAll(async () => {
  ({ server, api, w } = await serverWithWorld());
});
afterAll(() => server.stop());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `beseda ARGS…` against the test server, to its end. */
async function beseda(...args: string[]): Promise<Run> {
  const run = runCli(args, { BESEDA_URL: server.url, BESEDA_ADMIN_TOKEN: server.adminToken });
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

describe("accounts", () => {
  test("create prints the new account's credentials; the list shows it with its items and webhook", async () => {
    const created = await beseda("accounts", "create", "Покупатель", "Второй");
    expect(created.code).toBe(0);
    const userId = /user_id:\s+(\d+)/.exec(created.stdout)?.[1];
    expect(userId).toBeDefined();
    expect(created.stdout).toMatch(/client_secret:\s+\S{16,}/);

    const listed = await beseda("accounts");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${userId}  Покупатель Второй`);
    expect(listed.stdout).toContain(`${w.seller.user_id}  Продавец`);
    expect(listed.stdout).toContain(`item      ${w.itemId}  Велосипед, 12 500 ₽`);

    const json = await beseda("accounts", "--json");
    const accounts = JSON.parse(json.stdout) as { user_id: number; client_id: string }[];
    expect(accounts.find((a) => a.user_id === Number(userId))?.client_id).toMatch(/\S/);
  });
});

describe("chat and say", () => {
  test("say writes as the buyer; chat show prints the conversation, chat list the chat", async () => {
    const said = await beseda(
      "say",
      w.chatId,
      "--as",
      String(w.buyer.user_id),
      "А",
      "доставка",
      "есть?",
    );
    expect(said.code, said.stderr).toBe(0);
    expect(said.stdout).toMatch(/sent [0-9a-f]{32}: А доставка есть\?/);

    // The seller sees it through the messenger API, as their bot would.
    const seen = await api.request<{ content: { text?: string } }[]>(
      "GET",
      `/messenger/v3/accounts/${w.seller.user_id}/chats/${w.chatId}/messages/`,
      { token: w.sellerToken },
    );
    expect(seen.body[0]?.content.text).toBe("А доставка есть?");

    const shown = await beseda("chat", "show", w.chatId);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.trim().split("\n");
    expect(lines.at(-1)).toContain(`Покупатель (${w.buyer.user_id}): А доставка есть?`);
    expect(lines[0]).toContain("Здравствуйте! Ещё продаётся?");

    const listed = await beseda("chat", "list", "--user", String(w.seller.user_id));
    expect(listed.stdout).toContain(w.chatId);
    expect(listed.stdout).toContain(`item ${w.itemId}`);
  });

  test("chat open makes a u2u chat and prints its id", async () => {
    const opened = await beseda(
      "chat",
      "open",
      "--users",
      `${w.buyer.user_id},${w.stranger.user_id}`,
    );
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).toMatch(/^u2u-\S{22}/);
  });

  test("a message the server refuses: exit 1 with the server's reason; nothing is written", async () => {
    const before = await beseda("chat", "show", w.chatId, "--json");
    const refused = await beseda("say", w.chatId, "--as", String(w.stranger.user_id), "чужой");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/answered 4\d\d: /);
    expect((await beseda("chat", "show", w.chatId, "--json")).stdout).toBe(before.stdout);
  });
});

describe("clock", () => {
  test("advance 1h30m moves the sandbox clock by 5400 s", async () => {
    const before = JSON.parse((await beseda("clock", "--json")).stdout) as { now: number };
    const moved = await beseda("clock", "advance", "1h30m");
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(
      /sandbox clock: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC .*ahead of real time/,
    );
    const after = JSON.parse((await beseda("clock", "--json")).stdout) as { now: number };
    expect(after.now - before.now).toBeGreaterThanOrEqual(5400);
    expect(after.now - before.now).toBeLessThan(5400 + 30);
  });

  test("a duration that is none: exit 2 with the usage, the clock unmoved", async () => {
    const before = JSON.parse((await beseda("clock", "--json")).stdout) as {
      offset_seconds: number;
    };
    const wrong = await beseda("clock", "advance", "soon");
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('clock advance needs a DURATION such as 1h or 90s, got "soon"');
    expect(wrong.stderr).toContain("beseda clock advance DURATION");
    const after = JSON.parse((await beseda("clock", "--json")).stdout) as {
      offset_seconds: number;
    };
    expect(after.offset_seconds).toBe(before.offset_seconds);
  });
});

describe("tail", () => {
  test("prints a message written after it started and the webhook attempt it caused, a line each", async () => {
    const hook = await startReceiver();
    const subscribed = await api.call("postWebhookV3", {
      token: w.sellerToken,
      params: {},
      json: { url: hook.url },
    });
    expect(subscribed.status).toBe(200);
    const tail = runCli(["tail"], {
      BESEDA_URL: server.url,
      BESEDA_ADMIN_TOKEN: server.adminToken,
    });
    try {
      // "following" is printed once the stream is open: nothing written after it is missed.
      await waitFor(() => tail.stdout().includes("following"));
      await api.text(w.chatId, w.buyer.user_id, "Пишу в хвост");
      await waitFor(() => tail.stdout().includes(`webhook → ${hook.url}  200`));
      expect(tail.stdout()).toContain(`${w.chatId}  Покупатель (${w.buyer.user_id}): Пишу в хвост`);
      expect(tail.stdout()).toMatch(
        new RegExp(
          `of ${w.chatId.replace(/[~-]/g, "\\$&")} to ${w.seller.user_id}, attempt 1, delivered`,
        ),
      );
      // Messages from before it started are not repeated.
      expect(tail.stdout()).not.toContain("Здравствуйте! Ещё продаётся?");
    } finally {
      tail.child.kill("SIGINT");
      await tail.exited;
      await api.call("postWebhookUnsubscribe", {
        token: w.sellerToken,
        params: {},
        json: { url: hook.url },
      });
      await hook.close();
    }
  });
});

describe("tail --since", () => {
  test("prints the last seconds' messages once, then follows", async () => {
    const tail = runCli(["tail", "--chat", w.chatId, "--since", "86400"], {
      BESEDA_URL: server.url,
      BESEDA_ADMIN_TOKEN: server.adminToken,
    });
    try {
      await waitFor(() => tail.stdout().includes("Здравствуйте! Ещё продаётся?"));
      await waitFor(() => tail.stdout().includes("following"));
      await api.text(w.chatId, w.buyer.user_id, "И ещё вопрос");
      await waitFor(() => tail.stdout().includes("И ещё вопрос"));
      expect(tail.stdout().split("Здравствуйте! Ещё продаётся?").length).toBe(2);
      expect(tail.stdout().split("И ещё вопрос").length).toBe(2);
    } finally {
      tail.child.kill("SIGINT");
      await tail.exited;
    }
  });
});

describe("tail across a restart of the server", () => {
  test("says it lost the server, follows it again once it is back, and shows what comes", async () => {
    const port = String(await freePort());
    const dataDir = tempDataDir();
    let running = await startServerProcess(dataDir, ["--port", port, "--no-demo"]);
    const env = { BESEDA_URL: running.url, BESEDA_DATA_DIR: dataDir };
    const tail = runCli(["tail"], env);
    try {
      await waitFor(() => tail.stdout().includes("following"));
      running.child.kill("SIGTERM");
      await running.exited;
      await waitFor(() => tail.stdout().includes("lost the server"));
      running = await startServerProcess(dataDir, ["--port", port, "--no-demo"]);
      await waitFor(() => tail.stdout().includes("the server is back: following again"));
      const created = runCli(["accounts", "create", "После перезапуска"], env);
      expect((await created.exited).code).toBe(0);
      const userId = /user_id:\s+(\d+)/.exec(created.stdout())?.[1] ?? "";
      const opened = runCli(["chat", "open", "--avito", userId], env);
      expect((await opened.exited).code).toBe(0);
      const chat = opened.stdout().split(" ")[0] ?? "";
      const said = runCli(["say", chat, "--as", userId, "Снова", "на", "связи"], env);
      expect((await said.exited).code).toBe(0);
      await waitFor(() => tail.stdout().includes("Снова на связи"));
    } catch (error) {
      throw new Error(
        `${(error as Error).message}; tail (exit ${tail.child.exitCode}) said: ${tail.stdout()} ${tail.stderr()}; server exit ${running.child.exitCode} ${running.child.signalCode}`,
      );
    } finally {
      tail.child.kill("SIGINT");
      await tail.exited;
      running.child.kill("SIGTERM");
      await running.exited;
    }
  }, 40_000);
});

describe("fault", () => {
  test("add a 429 for one call, see it fire, list it spent, clear every rule", async () => {
    const added = await beseda(
      "fault",
      "add",
      "--operation",
      "getChatsV2",
      "--user",
      String(w.seller.user_id),
      "--status",
      "429",
      "--times",
      "1",
    );
    expect(added.code, added.stderr).toBe(0);
    const ruleId = /added (\S+)/.exec(added.stdout)?.[1];
    expect(added.stdout).toContain(`getChatsV2 user ${w.seller.user_id}: answer 429 (1 times)`);

    const chats = `/messenger/v2/accounts/${w.seller.user_id}/chats`;
    const limited = await api.request("GET", chats, { token: w.sellerToken });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-beseda-fault")).toBe(ruleId);
    expect((await api.request("GET", chats, { token: w.sellerToken })).status).toBe(200);

    const listed = await beseda("fault", "list");
    expect(listed.stdout).toContain(`${ruleId}  getChatsV2`);
    expect(listed.stdout).toContain("fired 1, spent");

    expect((await beseda("fault", "clear")).stdout).toContain("removed every fault rule");
    expect((await beseda("fault", "list")).stdout.trim()).toBe("no fault rules");
  });

  test("a rule that could never match: exit 1 with the server's reason, no rule added", async () => {
    const refused = await beseda(
      "fault",
      "add",
      "--operation",
      "sendSmokeSignal",
      "--status",
      "500",
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/POST \/sandbox\/v1\/faults answered 400: .*operation/);
    expect((await beseda("fault", "list")).stdout.trim()).toBe("no fault rules");
  });

  test("expire-tokens: the account's token answers production's 403 at once", async () => {
    const user = await api.createAccount("Истекающий");
    const token = await api.token(user);
    const chats = `/messenger/v2/accounts/${user.user_id}/chats`;
    expect((await api.request("GET", chats, { token })).status).toBe(200);
    const expired = await beseda("fault", "expire-tokens", String(user.user_id));
    expect(expired.code, expired.stderr).toBe(0);
    const refused = await api.request("GET", chats, { token });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ result: { status: false, message: "access token expired" } });
  });
});

describe("failures", () => {
  test("a wrong admin token: exit 1, saying how to give the right one", async () => {
    const run = runCli(["accounts"], {
      BESEDA_URL: server.url,
      BESEDA_ADMIN_TOKEN: "x".repeat(24),
    });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain("answered 401: the admin token was refused");
  });

  test("no server at the URL: exit 1, saying so", async () => {
    const run = runCli(["accounts"], {
      BESEDA_URL: "http://127.0.0.1:9",
      BESEDA_ADMIN_TOKEN: "y".repeat(24),
    });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toContain("no Beseda at http://127.0.0.1:9");
  });

  test("a reader that stops early (beseda accounts | head): exit 0, no stack trace", async () => {
    const run = runCli(["accounts"], {
      BESEDA_URL: server.url,
      BESEDA_ADMIN_TOKEN: server.adminToken,
    });
    // The pipe closes before the verb writes a line, as head does after its lines.
    run.child.stdout?.destroy();
    expect((await run.exited).code).toBe(0);
    expect(run.stderr()).toBe("");
  });

  test("an unknown option: exit 2 with the verb's usage", async () => {
    const wrong = await beseda("say", w.chatId, "--loud");
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("Usage:");
  });

  test("the admin token is read from the server's data dir when not given", async () => {
    const run = runCli(["clock", "--data-dir", server.dataDir], { BESEDA_URL: server.url });
    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toContain("sandbox clock:");
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
