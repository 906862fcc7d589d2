// The scenario engine (src/scenarios/run-scenario.ts) against a real Beseda and a real bot: the
// bot is a webhook receiver subscribed as the seller that answers through the messenger API
// (helpers/test-bot.ts), and the engine reaches the server only through its sandbox API, as
// `beseda test` does. Scenarios are built as typed Scenario objects, as the parser makes them.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SandboxClient } from "../src/cli/sandbox-client.ts";
import type {
  BuyerScript,
  Expectation,
  FaultStep,
  ReplyMatcher,
  Scenario,
  ScenarioItem,
  SendContent,
  Step,
} from "../src/scenarios/model.ts";
import { parseScenario } from "../src/scenarios/parse-scenario.ts";
import type { BuyerRunReport, ScenarioObserver, StepReport } from "../src/scenarios/report.ts";
import type { ScenarioRunOptions } from "../src/scenarios/run-options.ts";
import { runScenario } from "../src/scenarios/run-scenario.ts";
import { type Credentials, TestApi } from "./helpers/api.ts";
import { type Brain, startTestBot, type TestBot } from "./helpers/test-bot.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const AT = { line: 1, column: 1 };

function scenario(fields: Partial<Scenario> & { buyers: BuyerScript[] }): Scenario {
  return {
    name: "сценарий",
    description: null,
    file: "test.yaml",
    position: AT,
    tags: [],
    timeoutMs: null,
    world: { fixture: null, seller: null, items: [] },
    repeat: 1,
    concurrency: 1,
    ...fields,
  };
}

function buyer(name: string, steps: Step[], item: string | null = null): BuyerScript {
  return { name, item, position: AT, steps };
}

function item(key: string, title: string, fields: Partial<ScenarioItem> = {}): ScenarioItem {
  return {
    key,
    title,
    priceString: null,
    status: "active",
    address: null,
    itemId: null,
    ...fields,
  };
}

const say = (text: string): Step => ({ kind: "say", text, title: `say ${text}`, position: AT });
const send = (content: SendContent): Step => ({
  kind: "send",
  content,
  title: `send ${content.type}`,
  position: AT,
});
const expectThat = (expectation: Expectation, withinMs: number | null = null): Step => ({
  kind: "expect",
  expectation,
  withinMs,
  title: `expect ${expectation.kind}`,
  position: AT,
});
const reply = (
  matcher: Partial<ReplyMatcher>,
  options: { withinMs?: number; capture?: Record<string, string> } = {},
): Step =>
  expectThat(
    {
      kind: "reply",
      matcher: { text: null, contains: [], matches: null, type: null, ...matcher },
      capture: options.capture ?? {},
    },
    options.withinMs ?? null,
  );
const fault = (
  fields: Partial<Omit<FaultStep, "rule">> & { rule?: Partial<FaultStep["rule"]> },
): Step => ({
  kind: "fault",
  title: "fault",
  position: AT,
  fault: {
    preset: fields.preset ?? null,
    forMs: fields.forMs ?? null,
    rule: {
      operation: null,
      status: null,
      latencyMs: null,
      drop: null,
      retryAfter: null,
      times: null,
      probability: null,
      ...fields.rule,
    },
  },
});

/** The bot most tests talk to: answers by keyword, says what it got for anything not a text. */
const shopBrain: Brain = (message) => {
  const text = message.text ?? "";
  if (message.type !== "text") return [{ say: `Получил: ${message.type}` }];
  if (text.includes("диван")) return [{ say: "Да, диван продаётся. Ваш заказ №4711" }];
  if (text.includes("дважды")) return [{ say: "Раз" }, { say: "Два" }];
  if (text.includes("молчи")) return [];
  if (text.includes("прочитай")) return [{ read: true }];
  if (text.includes("спам")) return [{ blacklist: true }];
  return [{ say: `Вы написали: ${text}` }];
};

let server: TestServer;
let api: TestApi;
let sandbox: SandboxClient;
let seller: Credentials;
let bot: TestBot;

beforeAll(async () => {
  server = await startTestServer({ webhookRetrySchedule: [0.2] });
  api = new TestApi(server.url, server.adminToken);
  sandbox = new SandboxClient({ url: server.url, adminToken: server.adminToken });
  seller = await api.createAccount("Бот");
  bot = await startTestBot(server.url, seller, shopBrain);
});
afterAll(async () => {
  await bot?.close();
  await server?.stop();
});

function options(overrides: Partial<ScenarioRunOptions> = {}): ScenarioRunOptions {
  return {
    sandbox,
    seller: async () => seller.user_id,
    readFile: async () => {
      throw new Error("files cannot be named here; use sample");
    },
    defaultTimeoutMs: 3_000,
    signal: new AbortController().signal,
    ...overrides,
  };
}

function outcomes(run: BuyerRunReport): string[] {
  return run.steps.map((s) => s.outcome);
}

async function ourFaults(): Promise<{ id: string; user_id: number | null; status: number }[]> {
  const { faults } = await sandbox.call<{
    faults: { id: string; user_id: number | null; status: number }[];
  }>("GET", "/faults");
  return faults.filter((f) => f.user_id === seller.user_id);
}

describe("conversations", () => {
  test("a passing conversation captures a variable and fills it in later steps", async () => {
    const heard: string[] = [];
    const observer: ScenarioObserver = {
      scenarioStarted: () => heard.push("scenario started"),
      buyerStarted: (b) => heard.push(`buyer ${b.buyer}`),
      stepEnded: (_b, s) => heard.push(`${s.index} ${s.outcome}`),
      buyerEnded: (b) => heard.push(`buyer ended ${b.outcome}`),
      scenarioEnded: (r) => heard.push(`scenario ${r.outcome}`),
    };
    const report = await runScenario(
      scenario({
        world: { fixture: null, seller: null, items: [item("sofa", "Диван угловой")] },
        buyers: [
          buyer(
            "Анна",
            [
              say("Здравствуйте! А диван ещё продаётся?"),
              reply({ contains: ["продаётся"] }, { capture: { order: "№(\\d+)" } }),
              say("Заказ {{order}} для {{buyer.name}} на {{item.sofa.title}}"),
              reply({ text: "Вы написали: Заказ {{order}} для Анна на Диван угловой" }),
              say("Чат {{chat.id}}, продавец {{seller.id}}, прогон {{run}}"),
              reply({ matches: { source: "продавец (?<seller>\\d+)", flags: "" } }),
            ],
            "sofa",
          ),
        ],
      }),
      options({ observer }),
    );

    expect(report.error).toBeNull();
    expect(report.outcome).toBe("passed");
    expect(report.seller_id).toBe(seller.user_id);
    expect(Date.parse(report.started_at)).not.toBeNaN();
    const [run] = report.buyers;
    expect(outcomes(run as BuyerRunReport)).toEqual(Array(6).fill("passed"));
    expect(run?.variables).toEqual({ order: "4711", seller: String(seller.user_id) });
    expect(run?.conversation).toEqual([]);
    expect(run?.chat_id).toMatch(/^u2i-/);
    const replySteps = run?.steps.filter((s) => s.kind === "expect") ?? [];
    for (const step of replySteps) expect(step.reply_ms).toBeGreaterThanOrEqual(0);
    expect(report.reply_times?.count).toBe(3);
    expect(heard).toEqual([
      "scenario started",
      "buyer Анна",
      ...[0, 1, 2, 3, 4, 5].map((i) => `${i} passed`),
      "buyer ended passed",
      "scenario passed",
    ]);
  });

  test("a wrong reply fails with what was expected and what came, and the conversation", async () => {
    const report = await runScenario(
      scenario({
        buyers: [
          buyer("Борис", [
            say("Здравствуйте, диван есть?"),
            reply({ contains: ["нет в наличии"] }),
            say("Жаль"),
            reply({}),
          ]),
        ],
      }),
      options(),
    );
    expect(report.outcome).toBe("failed");
    const run = report.buyers[0] as BuyerRunReport;
    expect(run.outcome).toBe("failed");
    expect(run.chat_id).toMatch(/^u2u-/);
    expect(outcomes(run)).toEqual(["passed", "failed", "skipped", "skipped"]);
    expect(run.steps[1]?.failure).toEqual({
      message: 'the reply does not match: its text does not contain "нет в наличии"',
      expected: 'a reply containing "нет в наличии"',
      actual: '"Да, диван продаётся. Ваш заказ №4711"',
    });
    expect(run.conversation.map((line) => [line.side, line.text])).toEqual([
      ["buyer", "Здравствуйте, диван есть?"],
      ["seller", "Да, диван продаётся. Ваш заказ №4711"],
    ]);
  });

  test("a bot that never answers fails the step at its time limit, no later", async () => {
    const started = performance.now();
    const report = await runScenario(
      scenario({
        timeoutMs: 800,
        buyers: [buyer("Вера", [say("молчи"), reply({ contains: ["ответ"] }), say("Алло?")])],
      }),
      options(),
    );
    const elapsed = performance.now() - started;
    const run = report.buyers[0] as BuyerRunReport;
    expect(outcomes(run)).toEqual(["passed", "failed", "skipped"]);
    expect(run.steps[1]?.failure).toEqual({
      message: "no reply within 800ms",
      expected: 'a reply containing "ответ"',
      actual: "no reply within 800ms",
    });
    expect(run.steps[1]?.duration_ms).toBeGreaterThanOrEqual(800);
    expect(elapsed).toBeLessThan(2_500);
  });

  test("no_reply catches a second answer; replies counts them; a quiet bot passes no_reply", async () => {
    const report = await runScenario(
      scenario({
        buyers: [
          buyer("Гоша", [
            say("дважды"),
            reply({ text: "Раз" }),
            expectThat({ kind: "no_reply" }, 1_500),
          ]),
          buyer("Даша", [say("дважды"), expectThat({ kind: "replies", count: 2 })]),
          buyer("Ева", [say("молчи"), expectThat({ kind: "no_reply" }, 400)]),
        ],
      }),
      options(),
    );
    const [twice, counted, quiet] = report.buyers as BuyerRunReport[];
    expect(outcomes(twice as BuyerRunReport)).toEqual(["passed", "passed", "failed"]);
    const failure = twice?.steps[2]?.failure;
    expect(failure?.message).toBe("a reply came within 1.5s");
    expect(failure?.expected).toBe("no reply within 1.5s");
    expect(failure?.actual).toMatch(/^"Два" after \d+/);
    expect(twice?.steps[2]?.duration_ms).toBeLessThan(1_500);
    expect(outcomes(counted as BuyerRunReport)).toEqual(["passed", "passed"]);
    expect(counted?.steps[1]?.reply_ms).toBeGreaterThanOrEqual(0);
    expect(outcomes(quiet as BuyerRunReport)).toEqual(["passed", "passed"]);
    expect(report.outcome).toBe("failed");
  });

  test("images, voices, locations, items and links arrive at the bot as those types", async () => {
    const before = bot.heard.length;
    const report = await runScenario(
      scenario({
        world: {
          fixture: null,
          seller: null,
          items: [item("lamp", "Лампа", { priceString: "900 ₽" })],
        },
        buyers: [
          buyer(
            "Жанна",
            [
              send({ type: "image", source: "sample" }),
              reply({ text: "Получил: image" }),
              send({ type: "voice", source: "sample" }),
              reply({ text: "Получил: voice" }),
              send({ type: "location", lat: 55.75, lon: 37.62, title: "Кремль" }),
              reply({ text: "Получил: location" }),
              send({ type: "item", item: "lamp" }),
              reply({ text: "Получил: item" }),
              send({ type: "link", url: "https://example.com/{{item.lamp.id}}", text: null }),
              reply({ text: "Получил: link", type: "text" }),
            ],
            "lamp",
          ),
        ],
      }),
      options(),
    );
    expect(report.buyers[0]?.steps.filter((s) => s.failure)).toEqual([]);
    expect(report.outcome).toBe("passed");
    const heard = bot.heard.slice(before);
    expect(heard.map((m) => m.type)).toEqual(["image", "voice", "location", "item", "link"]);
    expect(heard[2]?.content.location).toMatchObject({ lat: 55.75, lon: 37.62, title: "Кремль" });
    expect(heard[3]?.content.item).toMatchObject({ title: "Лампа", price_string: "900 ₽" });
    expect(heard[4]?.content.link).toMatchObject({
      url: expect.stringMatching(/^https:\/\/example\.com\/\d+$/),
    });
  });
});

describe("side effects", () => {
  test("read, blacklisted and delivered hold when the bot does them, and fail when it does not", async () => {
    const report = await runScenario(
      scenario({
        timeoutMs: 2_000,
        buyers: [
          buyer("Зоя", [
            say("прочитай, пожалуйста"),
            expectThat({ kind: "delivered" }),
            expectThat({ kind: "read" }),
          ]),
          buyer("Игорь", [
            say("спам, спам"),
            expectThat({ kind: "blacklisted" }),
            // Refused by the sandbox, as the blacklist says: the step fails with its words.
            say("Ну ответьте"),
          ]),
          buyer("Кира", [say("молчи"), expectThat({ kind: "read" }, 600)]),
          buyer("Лев", [say("молчи"), expectThat({ kind: "blacklisted" }, 500)]),
        ],
      }),
      options(),
    );
    const [read, blacklisted, unread, kept] = report.buyers as BuyerRunReport[];
    expect(outcomes(read as BuyerRunReport)).toEqual(["passed", "passed", "passed"]);
    expect(outcomes(blacklisted as BuyerRunReport)).toEqual(["passed", "passed", "failed"]);
    expect(blacklisted?.steps[2]?.failure?.message).toMatch(
      /^POST \/sandbox\/v1\/chats\/.+\/messages answered 403: .*blacklisted/,
    );
    expect(unread?.steps[1]?.failure).toMatchObject({
      message: "the seller did not read the buyer's last message within 600ms",
      actual: "the buyer's last message is unread",
    });
    expect(kept?.steps[1]?.failure).toMatchObject({ actual: "not blacklisted" });
  });

  test("delivered waits out a failing webhook: it holds once Beseda's retry is answered", async () => {
    const report = await runScenario(
      scenario({
        buyers: [
          buyer("Маша", [
            fault({ preset: "webhooks_failing", rule: { times: 1 } }),
            say("Здравствуйте!"),
            expectThat({ kind: "delivered" }, 5_000),
            reply({ text: "Вы написали: Здравствуйте!" }),
          ]),
        ],
      }),
      options(),
    );
    expect(report.buyers[0]?.steps.map((s) => s.failure)).toEqual([null, null, null, null]);
    expect(await ourFaults()).toEqual([]);
  });

  test("a rate_limit_storm is a rule for the seller while the scenario runs, removed after it", async () => {
    let during: Promise<unknown> | null = null;
    const refusalsBefore = bot.refusals;
    const report = await runScenario(
      scenario({
        buyers: [
          buyer("Нина", [
            fault({ preset: "rate_limit_storm", rule: { times: 2 } }),
            say("А диван?"),
            reply({ contains: ["продаётся"] }, { withinMs: 8_000 }),
          ]),
        ],
      }),
      options({
        observer: {
          stepEnded: (_b: BuyerRunReport, step: StepReport) => {
            if (step.kind === "fault") during = ourFaults();
          },
        },
      }),
    );
    expect(report.buyers[0]?.steps.map((s) => s.failure)).toEqual([null, null, null]);
    expect(await during).toEqual([
      expect.objectContaining({ user_id: seller.user_id, status: 429, operation: "*", times: 2 }),
    ]);
    expect(bot.refusals - refusalsBefore).toBe(2);
    expect(await ourFaults()).toEqual([]);
  });
});

describe("from a file", () => {
  test("a scenario parsed from its YAML runs as written", async () => {
    const parsed = parseScenario(
      [
        "name: A buyer asks about the sofa",
        "timeout: 3s",
        "world:",
        "  items:",
        "    sofa: { title: Диван угловой, price: 15 000 ₽ }",
        "buyers:",
        "  - name: Анна",
        "    item: sofa",
        "    steps:",
        "      - say: Здравствуйте! Этот диван ещё продаётся?",
        "      - expect:",
        "          reply: { contains: продаётся }",
        "          capture: { order: '№(\\d+)' }",
        "      - say: Беру, заказ {{order}}",
        '      - expect: { reply: { text: "Вы написали: Беру, заказ {{order}}" }, within: 2s }',
        "      - send: { item: sofa }",
        "      - expect: { reply: { matches: '^Получил: (?<what>\\w+)$' } }",
        "      - expect: { no_reply: true, within: 300ms }",
      ].join("\n"),
      "sofa.yaml",
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const report = await runScenario(parsed.scenario, options());
    const run = report.buyers[0] as BuyerRunReport;
    expect(run.steps.map((s) => s.failure)).toEqual(Array(7).fill(null));
    expect(report.outcome).toBe("passed");
    expect(report.file).toBe("sofa.yaml");
    expect(run.steps[1]?.position.line).toBe(11);
    expect(run.variables).toEqual({ order: "4711", what: "item" });
  });
});

describe("the buyer's other actions", () => {
  test("delete, wait, advance, an expired token and clear_faults", async () => {
    const step = (fields: Step): Step => fields;
    let afterClear: Promise<unknown> | null = null;
    const clockBefore = await sandbox.call<{ offset_seconds: number }>("GET", "/clock");
    const report = await runScenario(
      scenario({
        buyers: [
          buyer("Уля", [
            say("Ошибся"),
            reply({ text: "Вы написали: Ошибся" }),
            step({ kind: "delete", target: "last", title: "delete", position: AT }),
            // The bot hears the deletion and says nothing: no reply counts from the deletion.
            expectThat({ kind: "no_reply" }, 300),
            step({ kind: "advance", seconds: 3_600, title: "advance", position: AT }),
            fault({ preset: "token_expired" }),
            say("А диван?"),
            reply({ contains: ["продаётся"] }),
            fault({ rule: { operation: "postSendMessage", status: 503, times: 5 } }),
            step({ kind: "clear_faults", title: "clear", position: AT }),
            step({ kind: "wait", ms: 100, title: "wait", position: AT }),
            step({ kind: "read", title: "read", position: AT }),
          ]),
        ],
      }),
      options({
        observer: {
          stepEnded: (_b: BuyerRunReport, ended: StepReport) => {
            if (ended.kind === "clear_faults") afterClear = ourFaults();
          },
        },
      }),
    );
    const run = report.buyers[0] as BuyerRunReport;
    expect(run.steps.map((s) => s.failure)).toEqual(Array(12).fill(null));
    expect(run.steps[10]?.duration_ms).toBeGreaterThanOrEqual(100);
    expect(await afterClear).toEqual([]);
    const clockAfter = await sandbox.call<{ offset_seconds: number }>("GET", "/clock");
    expect(clockAfter.offset_seconds - clockBefore.offset_seconds).toBeGreaterThanOrEqual(3_600);
    const { messages } = await sandbox.call<{ messages: { type: string }[] }>(
      "GET",
      `/chats/${encodeURIComponent(run.chat_id ?? "")}/messages`,
    );
    expect(messages.map((m) => m.type)).toEqual(["deleted", "text", "text", "text"]);
  });
});

describe("load and control", () => {
  test("repeat and concurrency make that many runs, at most that many at once, with reply times", async () => {
    let running = 0;
    let most = 0;
    const report = await runScenario(
      scenario({
        repeat: 3,
        concurrency: 3,
        buyers: [
          buyer("Оля", [
            say("Привет от {{buyer.name}}, прогон {{run}}"),
            reply({ contains: ["{{buyer.name}}"] }),
          ]),
          buyer("Петя", [say("диван?"), reply({ contains: ["продаётся"] })]),
        ],
      }),
      options({
        observer: {
          buyerStarted: () => {
            running++;
            most = Math.max(most, running);
          },
          buyerEnded: () => {
            running--;
          },
        },
      }),
    );
    expect(report.outcome).toBe("passed");
    expect(report.buyers.map((b) => b.buyer).sort()).toEqual(
      ["Оля #1", "Оля #2", "Оля #3", "Петя #1", "Петя #2", "Петя #3"].sort(),
    );
    expect(report.buyers.map((b) => b.run).sort()).toEqual([0, 0, 1, 1, 2, 2]);
    expect(new Set(report.buyers.map((b) => b.buyer_id)).size).toBe(6);
    expect(most).toBe(3);
    expect(report.reply_times).toMatchObject({ count: 6 });
    const times = report.reply_times;
    expect(times && times.p50_ms <= times.p95_ms && times.p95_ms <= times.max_ms).toBe(true);
  });

  test("an abort ends the run at once: the step in progress interrupted, the rest skipped, faults removed", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const started = performance.now();
    const report = await runScenario(
      scenario({
        repeat: 2,
        buyers: [
          buyer("Рита", [
            fault({ rule: { operation: "postSendMessage", status: 503, times: 50 } }),
            say("молчи"),
            reply({}, { withinMs: 30_000 }),
            say("ещё"),
          ]),
        ],
      }),
      options({ signal: controller.signal }),
    );
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(report.outcome).toBe("failed");
    const [first, second] = report.buyers as BuyerRunReport[];
    expect(outcomes(first as BuyerRunReport)).toEqual(["passed", "passed", "failed", "skipped"]);
    expect(first?.steps[2]?.failure?.message).toBe("interrupted");
    expect(second?.outcome).toBe("skipped");
    expect(outcomes(second as BuyerRunReport)).toEqual(Array(4).fill("skipped"));
    expect(await ourFaults()).toEqual([]);
  });

  test("a world that cannot be made is the scenario's error; nothing runs", async () => {
    const report = await runScenario(
      scenario({ buyers: [buyer("Соня", [say("Привет")])] }),
      options({
        seller: async () => {
          throw new Error("the bot never subscribed");
        },
      }),
    );
    expect(report.outcome).toBe("failed");
    expect(report.error).toBe("the bot's account is not ready: the bot never subscribed");
    expect(report.buyers.map((b) => [b.outcome, outcomes(b)])).toEqual([["skipped", ["skipped"]]]);
  });
});

describe("a fixture world", () => {
  test("is imported in place of the world, and its seller and items are the scenario's", async () => {
    const own = await startTestServer();
    const ownApi = new TestApi(own.url, own.adminToken);
    const ownSandbox = new SandboxClient({ url: own.url, adminToken: own.adminToken });
    const shop = await ownApi.createAccount("Магазин из фикстуры");
    const { item_id: lampId } = await ownApi.createItem(shop.user_id, "Торшер", "2 500 ₽");
    const document = (await ownApi.sandbox<Record<string, unknown>>("GET", "/export")).body;
    await ownApi.createAccount("Не из фикстуры");
    const fixtureBot = await startTestBot(
      own.url,
      (await ownApi.createAccount("Временный")) as Credentials,
      shopBrain,
    );
    try {
      const report = await runScenario(
        scenario({
          world: {
            fixture: { document },
            seller: shop.user_id,
            items: [item("lamp", "", { itemId: lampId })],
          },
          buyers: [
            buyer(
              "Тимур",
              [
                say("{{item.lamp.title}} за {{item.lamp.id}} ещё есть?"),
                reply({ text: `Вы написали: Торшер за ${lampId} ещё есть?` }),
              ],
              "lamp",
            ),
          ],
        }),
        options({
          sandbox: ownSandbox,
          seller: async (fixtureSeller) => {
            expect(fixtureSeller).toBe(shop.user_id);
            await fixtureBot.useAccount(shop);
            return shop.user_id;
          },
        }),
      );
      expect(report.error).toBeNull();
      expect(report.outcome).toBe("passed");
      expect(report.seller_id).toBe(shop.user_id);
      const { accounts } = (
        await ownApi.sandbox<{ accounts: { name: string }[] }>("GET", "/accounts")
      ).body;
      expect(accounts.map((a) => a.name)).not.toContain("Не из фикстуры");
    } finally {
      await fixtureBot.close();
      await own.stop();
    }
  });
});
