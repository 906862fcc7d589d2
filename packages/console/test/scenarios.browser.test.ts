// The console's scenarios page in real Chromium against a real Beseda and a real bot: a scenario
// typed into the editor runs and is watched live until it passes, with each step's mark and reply
// time and a link to the buyer's chat; a wrong answer shows the expected and actual text and the
// conversation; a malformed scenario lists its problem by line, and a click puts the caret there.
// A load test draws the first 20 buyer runs of an outcome and counts the rest. The page keeps up
// when things go wrong: a run read while the network is down says so and recovers; a run the
// server forgot (it restarted) says it is gone, without Cancel; a hidden tab reads nothing; runs
// started elsewhere show up in the list. The bot is a few lines of node:http: subscribed for the
// seller with postWebhookV3, it answers every text someone else writes with "Эхо: <text>" through
// the messenger API. The network's failures are real: a TCP proxy between the browser and Beseda
// that the test cuts and restores.
import { rmSync } from "node:fs";
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TestApi } from "../../server/test/helpers/api.ts";
import {
  startTestServer,
  type TestServer,
  tempDataDir,
} from "../../server/test/helpers/test-server.ts";
import {
  type ConsoleHarness,
  PHONE,
  scrollsSideways,
  signIn,
  startConsole,
} from "./helpers/console.ts";
import { type EchoBot, startEchoBot } from "./helpers/echo-bot.ts";
import { snap, until } from "./helpers/operations.ts";

/** A TCP proxy to a server, whose link the test can cut (every connection dropped, new ones refused). */
interface CuttableLink {
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
}

async function cuttableLink(target: string): Promise<CuttableLink> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  let listener = createTcpServer();
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      listener = createTcpServer((client) => {
        const upstream = connect(Number(targetPort), hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
          socket.on("error", () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      listener.listen(port, "127.0.0.1", () => resolve((listener.address() as AddressInfo).port));
    });
  const port = await listen(0);
  const cut = async () => {
    const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    cut,
    restore: async () => {
      await listen(port);
    },
  };
}

let h: ConsoleHarness;
let bot: EchoBot;
let page: Page;

beforeAll(async () => {
  h = await startConsole();
  bot = await startEchoBot(h.api, h.w.sellerToken);
}, 60_000);

afterAll(async () => {
  await bot?.close();
  await h?.close();
});

const editor = () => page.getByLabel("Scenario (YAML)");
const runView = () => page.locator(".scenario-run");
const status = () => page.getByRole("status", { name: "Run status" });

async function openScenarios(): Promise<void> {
  page ??= await h.signedInPage();
  await page.goto(`${h.server.url}/console/scenarios`);
  await until(() => editor().count()).toBe(1);
  // The bot's account is chosen once the accounts are in.
  await until(() => page.getByLabel("Bot's account").inputValue()).toBe(String(h.w.seller.user_id));
}

/** Replaces the editor's text and runs it; resolves once the run's page is open. */
async function run(yaml: string): Promise<void> {
  await editor().fill(yaml);
  await page.getByRole("button", { name: "Run", exact: true }).click();
}

/** The runs the API keeps, as it has them. */
async function apiRuns(): Promise<{ id: string; status: string }[]> {
  return (await h.api.sandbox<{ runs: { id: string; status: string }[] }>("GET", "/scenarios/runs"))
    .body.runs;
}

describe("the scenarios page", () => {
  test("a typed scenario runs and is watched live until it passes, with its steps and a link to the chat", async () => {
    page ??= await h.signedInPage();
    await page.goto(`${h.server.url}/console/accounts`);
    await page
      .getByRole("navigation", { name: "Sections" })
      .getByRole("link", { name: "Scenarios" })
      .click();
    await until(() => editor().count()).toBe(1);
    // The editor starts with an example; the seller, whose bot is subscribed, is chosen and marked.
    expect(await editor().inputValue()).toContain("name: A buyer asks about the sofa");
    await until(() => page.getByLabel("Bot's account").inputValue()).toBe(
      String(h.w.seller.user_id),
    );
    const chosen = page.getByLabel("Bot's account").locator("option:checked");
    expect(await chosen.textContent()).toContain("subscribed");

    // Tab indents with two spaces, as YAML wants.
    await editor().fill("buyers:");
    await editor().press("End");
    await editor().press("Enter");
    await editor().press("Tab");
    await page.keyboard.type("- name: X");
    expect(await editor().inputValue()).toBe("buyers:\n  - name: X");

    await run(
      [
        "name: Эхо отвечает",
        "buyers:",
        "  - name: Анна",
        "    steps:",
        "      - say: Привет",
        "      - expect:",
        '          reply: { text: "Эхо: Привет" }',
        "          within: 10s",
        "      - wait: 2s",
        "      - say: Диван ещё продаётся?",
        "      - expect:",
        '          reply: { contains: "продаётся" }',
        "",
      ].join("\n"),
    );
    await until(async () => page.url()).toMatch(/\/console\/scenarios\/[^/]+$/);
    const runId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1) ?? "");
    // Live: running first (the `wait` makes sure it is seen), then passed, without a reload.
    await until(() => status().textContent()).toBe("running");
    const going = page.getByRole("listitem", { name: "Анна: running" });
    await until(() => going.getByText("Next step…").count()).toBe(1);
    await until(() => status().textContent(), 20_000).toBe("passed");

    const buyer = page.getByRole("listitem", { name: "Анна: passed" });
    const steps = buyer.getByRole("list", { name: "Steps of Анна" }).getByRole("listitem");
    expect(await steps.count()).toBe(5);
    for (const step of await steps.all()) expect(await step.textContent()).toContain("passed");
    expect(await steps.nth(1).textContent()).toMatch(/reply \d+ (ms|s)/);
    expect(await runView().textContent()).toContain("Эхо отвечает");

    // The recent runs list has it, the current one.
    const recent = page.getByRole("list", { name: "Recent runs" }).getByRole("link");
    await until(() => recent.first().getAttribute("aria-current")).toBe("page");
    expect(await recent.first().textContent()).toContain("Эхо отвечает");
    expect((await apiRuns()).find((r) => r.id === runId)?.status).toBe("passed");
    await snap(page, "scenarios-passed");

    // The buyer's chat, in the seller's inbox: both sides of it.
    await buyer.getByRole("link", { name: "Open the chat of Анна" }).click();
    await until(async () => page.url()).toMatch(new RegExp(`/inbox/${h.w.seller.user_id}/`));
    const messages = page.getByRole("list", { name: "Messages", exact: true });
    await until(() => messages.getByText("Эхо: Диван ещё продаётся?").count()).toBe(1);
    expect(bot.problems).toEqual([]);

    // Back at the run, opened from the list.
    await page.goto(`${h.server.url}/console/scenarios`);
    await page.getByRole("list", { name: "Recent runs" }).getByRole("link").first().click();
    await until(() => status().textContent()).toBe("passed");
  });

  test("a wrong answer fails the step with the expected and actual text, and the conversation", async () => {
    await openScenarios();
    await run(
      [
        "name: Бот здоровается",
        "buyers:",
        "  - name: Борис",
        "    steps:",
        "      - say: Добрый вечер",
        "      - expect:",
        '          reply: { text: "Здравствуйте, Борис!" }',
        "          within: 10s",
        "      - say: Вы тут?",
        "",
      ].join("\n"),
    );
    await until(() => status().textContent(), 20_000).toBe("failed");
    const buyer = page.getByRole("listitem", { name: "Борис: failed" });
    const steps = buyer.getByRole("list", { name: "Steps of Борис" }).getByRole("listitem");
    expect(await steps.nth(0).textContent()).toContain("passed");
    expect(await steps.nth(1).textContent()).toContain("failed");
    expect(await steps.nth(2).textContent()).toContain("skipped");
    expect(await buyer.locator("pre.expected").textContent()).toContain("Здравствуйте, Борис!");
    expect(await buyer.locator("pre.actual").textContent()).toContain("Эхо: Добрый вечер");
    const conversation = buyer.getByRole("region", { name: "Conversation of Борис" });
    expect(await conversation.textContent()).toContain("Добрый вечер");
    expect(await conversation.textContent()).toContain("Эхо: Добрый вечер");
    await snap(page, "scenarios-failed");
  });

  test("a malformed scenario lists its problem by line, a click selects that line, and nothing runs", async () => {
    await openScenarios();
    const before = (await apiRuns()).length;
    const url = page.url();
    await run(
      [
        "name: Опечатка",
        "buyers:",
        "  - name: Вера",
        "    steps:",
        "      - say: Здравствуйте",
        "      - shout: Есть кто?",
        "",
      ].join("\n"),
    );
    const problems = page.getByRole("list", { name: "Problems" }).getByRole("listitem");
    await until(() => problems.count()).toBeGreaterThan(0);
    const first = problems.first();
    expect(await first.textContent()).toMatch(/^line 6, column \d+: /);
    await first.getByRole("button", { name: /^line 6, column \d+$/ }).click();
    const caretLine = await editor().evaluate((element) => {
      const area = element as HTMLTextAreaElement;
      return {
        line: area.value.slice(0, area.selectionStart).split("\n").length,
        focused: document.activeElement === area,
      };
    });
    expect(caretLine).toEqual({ line: 6, focused: true });
    expect(page.url()).toBe(url);
    expect((await apiRuns()).length).toBe(before);
    await snap(page, "scenarios-problem");
  });

  test("a running scenario is cancelled from its page", async () => {
    await openScenarios();
    await run(
      [
        "name: Долгое ожидание",
        "buyers:",
        "  - name: Глеб",
        "    steps:",
        "      - wait: 1m",
        "",
      ].join("\n"),
    );
    await until(() => status().textContent()).toBe("running");
    await page.getByRole("button", { name: "Cancel" }).click();
    await until(() => status().textContent()).toBe("cancelled");
    expect(await page.getByRole("button", { name: "Cancel" }).count()).toBe(0);
  });

  test("a load test shows each buyer run and the reply times, and fits a phone", async () => {
    const phone = await h.signedInPage(PHONE);
    await phone.goto(`${h.server.url}/console/scenarios`);
    const box = phone.getByLabel("Scenario (YAML)");
    await until(() => phone.getByLabel("Bot's account").inputValue()).toBe(
      String(h.w.seller.user_id),
    );
    await box.fill(
      [
        "name: Нагрузка",
        "repeat: 3",
        "concurrency: 3",
        "buyers:",
        "  - name: Покупатель",
        "    steps:",
        "      - say: Сколько стоит?",
        "      - expect:",
        '          reply: { contains: "Сколько стоит?" }',
        "",
      ].join("\n"),
    );
    await phone.getByRole("button", { name: "Run", exact: true }).click();
    const state = phone.getByRole("status", { name: "Run status" });
    await until(() => state.textContent(), 20_000).toBe("passed");
    const runs = phone.getByRole("list", { name: "Buyer runs" }).locator(":scope > li");
    expect(await runs.count()).toBe(3);
    const times = phone.getByRole("region", { name: /^Reply times, 3 replies$/ });
    expect(await times.textContent()).toMatch(/p50.*p95.*p99.*max/);
    expect(await scrollsSideways(phone)).toBe(false);
    await snap(phone, "scenarios-load-phone");
  });

  test("a load test draws the first 20 passed buyer runs and counts the others", async () => {
    await openScenarios();
    await run(
      [
        "name: Много покупателей",
        "repeat: 23",
        "concurrency: 8",
        "buyers:",
        "  - name: Покупатель",
        "    steps:",
        "      - say: Есть в наличии?",
        "",
      ].join("\n"),
    );
    await until(() => status().textContent(), 30_000).toBe("passed");
    const runs = page.getByRole("list", { name: "Buyer runs" }).locator(":scope > li");
    expect(await runs.count()).toBe(20);
    expect(await runView().textContent()).toContain("23 buyer runs");
    expect(await runView().textContent()).toContain("and 3 more passed");
  });

  test("runs started elsewhere show up in the list without a reload", async () => {
    await openScenarios();
    const started = await h.api.sandbox<{ id: string }>("POST", "/scenarios/run", {
      scenario: "name: Из API\nbuyers:\n  - name: Ира\n    steps:\n      - say: Привет\n",
      account: h.w.seller.user_id,
    });
    expect(started.status, started.text).toBe(202);
    const listed = page
      .getByRole("list", { name: "Recent runs" })
      .locator(`a[href$="/scenarios/${started.body.id}"]`);
    await until(() => listed.count()).toBe(1);
  });

  test("a hidden tab reads nothing, and reads at once when shown again", async () => {
    await openScenarios();
    await run(
      [
        "name: Пока вкладка скрыта",
        "buyers:",
        "  - name: Юля",
        "    steps:",
        "      - wait: 1m",
        "",
      ].join("\n"),
    );
    await until(() => status().textContent()).toBe("running");
    const reads: string[] = [];
    const count = (request: { url(): string }) => {
      if (request.url().includes("/sandbox/v1/scenarios/runs")) reads.push(request.url());
    };
    page.on("request", count);
    try {
      await page.evaluate(() => {
        Object.defineProperty(document, "visibilityState", { configurable: true, value: "hidden" });
        document.dispatchEvent(new Event("visibilitychange"));
      });
      // A read already under way may finish; none starts after it.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const before = reads.length;
      await new Promise((resolve) => setTimeout(resolve, 3500));
      expect(reads.length).toBe(before);
      await page.evaluate(() => {
        Reflect.deleteProperty(document, "visibilityState");
        document.dispatchEvent(new Event("visibilitychange"));
      });
      await until(async () => reads.length).toBeGreaterThan(before);
    } finally {
      page.off("request", count);
      await page.getByRole("button", { name: "Cancel" }).click();
      await until(() => status().textContent()).toBe("cancelled");
    }
  });

  test("a read that fails says so and is tried again until the network is back", async () => {
    const link = await cuttableLink(h.server.url);
    // Signed in to the same server: cookies go by host, not port, so the session holds through it.
    const linked = await h.signedInPage();
    await linked.goto(`${link.url}/console/scenarios`);
    await until(() => linked.getByLabel("Bot's account").inputValue()).toBe(
      String(h.w.seller.user_id),
    );
    await linked
      .getByLabel("Scenario (YAML)")
      .fill(
        [
          "name: Переживёт обрыв",
          "buyers:",
          "  - name: Дина",
          "    steps:",
          "      - say: Привет",
          "      - wait: 4s",
          "      - say: Пока",
          "",
        ].join("\n"),
      );
    await linked.getByRole("button", { name: "Run", exact: true }).click();
    const state = linked.getByRole("status", { name: "Run status" });
    await until(() => state.textContent()).toBe("running");
    await link.cut();
    const failing = linked.getByRole("alert").filter({ hasText: "Could not read the run" });
    await until(() => failing.count()).toBe(1);
    expect(await failing.textContent()).toMatch(/trying again in \d+ s/);
    await link.restore();
    await until(() => state.textContent(), 20_000).toBe("passed");
    expect(await failing.count()).toBe(0);
    await linked.close();
  });

  test("a run the server forgot (it restarted) is shown gone, without Cancel", async () => {
    const dataDir = tempDataDir();
    const first = await startTestServer({ dataDir });
    const port = Number(new URL(first.url).port);
    const ownApi = new TestApi(first.url, first.adminToken);
    const ownSeller = await ownApi.createAccount("Продавец после рестарта");
    const ownBot = await startEchoBot(ownApi, await ownApi.token(ownSeller));
    let firstClosed = false;
    let second: TestServer | null = null;
    const own = await h.signedInPage();
    try {
      await signIn(own, first.url, first.adminToken);
      await own.goto(`${first.url}/console/scenarios`);
      await until(() => own.getByLabel("Bot's account").inputValue()).toBe(
        String(ownSeller.user_id),
      );
      await own
        .getByLabel("Scenario (YAML)")
        .fill(
          ["name: Забытый", "buyers:", "  - name: Лев", "    steps:", "      - wait: 1m", ""].join(
            "\n",
          ),
        );
      await own.getByRole("button", { name: "Run", exact: true }).click();
      const state = own.getByRole("status", { name: "Run status" });
      await until(() => state.textContent()).toBe("running");
      // The buyer's run under way has been read (the run's first answer may come before it began).
      await until(() => own.getByRole("listitem", { name: "Лев: running" }).count()).toBe(1);

      await first.close();
      firstClosed = true;
      await until(() =>
        own.getByRole("alert").filter({ hasText: "Could not read the run" }).count(),
      ).toBe(1);
      second = await startTestServer({ dataDir, port });
      await until(() => state.textContent(), 20_000).toBe("gone");
      const gone = own.getByRole("alert").filter({ hasText: "This run is gone" });
      expect(await gone.textContent()).toContain("the server restarted?");
      expect(await own.getByRole("button", { name: "Cancel" }).count()).toBe(0);
      // What was last read of it stays: the buyer run then under way.
      expect(await own.getByRole("listitem", { name: "Лев: running" }).count()).toBe(1);
      expect(
        await own.getByRole("alert").filter({ hasText: "Could not read the run" }).count(),
      ).toBe(0);
      await snap(own, "scenarios-gone");
    } finally {
      await own.close();
      await ownBot.close();
      if (second) await second.stop();
      else if (!firstClosed) await first.stop();
      else rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
