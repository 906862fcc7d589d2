// The scenario engine (src/scenarios/run-scenario.ts) against a real Beseda and a real bot: the
// bot is a webhook receiver subscribed as the seller that answers through the messenger API
// (helpers/test-bot.ts), and the engine reaches the server only through its sandbox API, as
// `beseda test` does. Scenarios are built as typed Scenario objects, as the parser makes them.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SandboxClient } from "../src/cli/sandbox-client.ts";
import { realNowMs } from "../src/clock.ts";
import { ChatWatch } from "../src/scenarios/chat-watch.ts";
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
import type { FaultRule } from "../src/scenarios/sandbox-shapes.ts";
import { type Credentials, TestApi } from "./helpers/api.ts";
import { startSandboxProxy } from "./helpers/sandbox-proxy.ts";
import { type Brain, startTestBot, type TestBot } from "./helpers/test-bot.ts";
import { TEST_DIALECT } from "./helpers/test-database.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const FLOOD_WAIT_MS = TEST_DIALECT === "postgres" ? 20_000 : 5_000;

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
    // As the parser makes it when the file gives none: the buyers write side by side.
    concurrency: fields.buyers.length,
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
  options: { withinMs?: number; capture?: Record<string, { source: string; flags: string }> } = {},
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
  if (text.includes("передумал")) return [{ sayThenDelete: "Ой, не то" }, { say: "Вот ответ" }];
  if (text.includes("передумай молча")) return [{ sayThenDelete: "Ой" }];
  if (text.includes("медленно")) return [{ pauseMs: 800 }, { say: "Не спеша" }];
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
    now: realNowMs,
    ...overrides,
  };
}

function outcomes(run: BuyerRunReport): string[] {
  return run.steps.map((s) => s.outcome);
}

async function ourFaults(): Promise<FaultRule[]> {
  const { faults } = await sandbox.call<{ faults: FaultRule[] }>("GET", "/faults");
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
              reply(
                { contains: ["продаётся"] },
                { capture: { order: { source: "№(\\d+)", flags: "" } } },
              ),
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
      // What Beseda knows of why: the bot got the message (its webhook answered 200).
      actual:
        'no reply within 800ms; the webhook of "молчи": 1 attempt, the last answered 200 (delivered)',
    });
    expect(run.steps[1]?.duration_ms).toBeGreaterThanOrEqual(800);
    expect(elapsed).toBeLessThan(2_500);
    // A reply that never came is counted, not left out of the times.
    expect(report.reply_times).toEqual({
      count: 0,
      timed_out: 1,
      p50_ms: null,
      p95_ms: null,
      p99_ms: null,
      max_ms: null,
    });
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
    // Runs count from 1, as their names do, and so does {{run}}.
    expect(report.buyers.map((b) => [b.buyer, b.run]).sort()).toEqual([
      ["Оля #1", 1],
      ["Оля #2", 2],
      ["Оля #3", 3],
      ["Петя #1", 1],
      ["Петя #2", 2],
      ["Петя #3", 3],
    ]);
    const greetings = bot.heard.map((m) => m.text).filter((t) => t?.startsWith("Привет от Оля"));
    expect(greetings.sort()).toEqual([
      "Привет от Оля #1, прогон 1",
      "Привет от Оля #2, прогон 2",
      "Привет от Оля #3, прогон 3",
    ]);
    expect(new Set(report.buyers.map((b) => b.buyer_id)).size).toBe(6);
    expect(most).toBe(3);
    expect(report.reply_times).toMatchObject({ count: 6, timed_out: 0 });
    const { p50_ms, p95_ms, max_ms } = report.reply_times ?? {};
    expect(p50_ms).not.toBeNull();
    expect((p50_ms ?? 0) <= (p95_ms ?? 0) && (p95_ms ?? 0) <= (max_ms ?? 0)).toBe(true);
  });

  test("an abort ends the run at once: the step in progress interrupted, the rest skipped, faults removed", async () => {
    const controller = new AbortController();
    // Aborted while the reply is awaited: a moment after the say before it ended (a timer from
    // the start raced the first two steps on a loaded machine).
    let abortScheduled = false;
    let abortedAt = Number.NaN;
    const abortSoon = () => {
      if (abortScheduled) return;
      abortScheduled = true;
      setTimeout(() => {
        abortedAt = performance.now();
        controller.abort();
      }, 100);
    };
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
      options({
        signal: controller.signal,
        observer: {
          stepEnded: (_b: BuyerRunReport, step: StepReport) => {
            if (step.kind === "say") abortSoon();
          },
        },
      }),
    );
    expect(performance.now() - abortedAt).toBeLessThan(1_000);
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

describe("what counts as a reply", () => {
  test("a message the bot deleted, or a system notice, is no reply; the one after it is", async () => {
    const report = await runScenario(
      scenario({
        buyers: [
          buyer("Фрося", [
            say("передумал"),
            // Both of the bot's messages and the deletion are in by then: the first still there
            // is the reply.
            { kind: "wait", ms: 1_000, title: "wait", position: AT },
            reply({ text: "Вот ответ" }),
          ]),
          buyer("Харитон", [
            say("передумай молча"),
            { kind: "wait", ms: 1_000, title: "wait", position: AT },
            expectThat({ kind: "no_reply" }, 300),
          ]),
          buyer("Цезарь", [say("молчи"), expectThat({ kind: "no_reply" }, 800)]),
        ],
      }),
      options({
        observer: {
          stepEnded: (run, step) => {
            // Avito's notice in the chat, as the sandbox lets anyone post one: not the bot's word.
            if (run.buyer !== "Цезарь" || step.index !== 0) return;
            void sandbox.call("POST", `/chats/${encodeURIComponent(run.chat_id ?? "")}/messages`, {
              author_id: seller.user_id,
              type: "system",
              content: { text: "Покупатель смотрит ваше объявление" },
            });
          },
        },
      }),
    );
    const [replaced, taken, noticed] = report.buyers as BuyerRunReport[];
    expect(replaced?.steps.map((s) => s.failure)).toEqual([null, null, null]);
    expect(taken?.steps.map((s) => s.failure)).toEqual([null, null, null]);
    expect(noticed?.steps.map((s) => s.failure)).toEqual([null, null]);
    const { messages } = await sandbox.call<{ messages: { type: string }[] }>(
      "GET",
      `/chats/${encodeURIComponent(noticed?.chat_id ?? "")}/messages`,
    );
    expect(messages.map((m) => m.type)).toEqual(["text", "system"]);
  });
});

describe("an event stream that loses events", () => {
  test("a buyer message the stream missed still comes before the reply it brought", async () => {
    const proxy = await startSandboxProxy(server.url);
    try {
      const report = await runScenario(
        scenario({
          buyers: [
            buyer("Юля", [
              say("медленно, пожалуйста"),
              reply({ text: "Не спеша" }, { withinMs: 2_000 }),
            ]),
          ],
        }),
        options({
          sandbox: new SandboxClient({ url: proxy.url, adminToken: server.adminToken }),
          observer: {
            // The buyer's message is lost on the way; the bot's reply, 800 ms later, is not.
            buyerStarted: () => proxy.dropEvents(true),
            stepEnded: (_run, step) => {
              if (step.kind === "say") setTimeout(() => proxy.dropEvents(false), 200);
            },
          },
        }),
      );
      const run = report.buyers[0] as BuyerRunReport;
      expect(run.steps.map((s) => s.failure)).toEqual([null, null]);
      // Found by the final look at the chat, at the time limit: the stream never showed it.
      expect(run.steps[1]?.duration_ms).toBeGreaterThanOrEqual(2_000);
      // The reply itself was heard live: its time is when it came, not the final look's.
      expect(run.steps[1]?.reply_ms).toBeGreaterThanOrEqual(700);
      expect(run.steps[1]?.reply_ms).toBeLessThan(1_800);
    } finally {
      proxy.dropEvents(false);
      await proxy.close();
    }
  });

  test("a reply only the final look found has no reply time, and is left out of the times", async () => {
    const proxy = await startSandboxProxy(server.url);
    try {
      const report = await runScenario(
        scenario({
          buyers: [
            buyer("Зоя", [say("Есть диван?"), reply({ contains: ["диван"] }, { withinMs: 1_000 })]),
          ],
        }),
        options({
          sandbox: new SandboxClient({ url: proxy.url, adminToken: server.adminToken }),
          // The stream brings nothing of the buyer's chat: the reply is found at the time limit.
          observer: { buyerStarted: () => proxy.dropEvents(true) },
        }),
      );
      const run = report.buyers[0] as BuyerRunReport;
      expect(run.steps.map((s) => s.failure)).toEqual([null, null]);
      expect(run.steps[1]?.duration_ms).toBeGreaterThanOrEqual(1_000);
      // Not the time limit passed off as the bot's reply time.
      expect(run.steps[1]?.reply_ms).toBeNull();
      expect(report.reply_times).toBeNull();
    } finally {
      proxy.dropEvents(false);
      await proxy.close();
    }
  });

  test("after a resync the chats are read again, and the wait goes on from there", async () => {
    const proxy = await startSandboxProxy(server.url);
    try {
      const report = await runScenario(
        scenario({
          buyers: [
            buyer("Яна", [
              say("медленно, раз"),
              reply({ text: "Не спеша" }),
              say("медленно, два"),
              reply({ text: "Не спеша" }, { withinMs: 5_000 }),
            ]),
          ],
        }),
        options({
          sandbox: new SandboxClient({ url: proxy.url, adminToken: server.adminToken }),
          observer: {
            // The second message is lost, then the stream is cut and comes back to a server that
            // cannot tell what was missed since the last event (as after its restart): `resync`.
            stepEnded: (_run, step) => {
              if (step.index === 1) proxy.dropEvents(true);
              if (step.index !== 2) return;
              setTimeout(() => {
                proxy.cut({ resync: true });
                proxy.dropEvents(false);
              }, 100);
            },
          },
        }),
      );
      const run = report.buyers[0] as BuyerRunReport;
      expect(run.steps.map((s) => s.failure)).toEqual([null, null, null, null]);
      expect(proxy.streams.at(-1)?.lastEventId).toBe("restarted.1");
      // The reply was heard as it came, not at the time limit's final look.
      expect(run.steps[3]?.duration_ms).toBeLessThan(3_000);
    } finally {
      await proxy.close();
    }
  });

  test("a connection that falls silent is taken for dead and followed again from the last event", async () => {
    const proxy = await startSandboxProxy(server.url);
    const controller = new AbortController();
    const watch = await ChatWatch.open(
      new SandboxClient({ url: proxy.url, adminToken: server.adminToken }),
      controller.signal,
      400,
    );
    try {
      const buyerAccount = await api.createAccount("Тихон");
      const { chat_id } = await sandbox.call<{ chat_id: string }>("POST", "/chats", {
        type: "u2u",
        user_ids: [buyerAccount.user_id, seller.user_id],
      });
      const chat = watch.follow(chat_id);
      const first = await sandbox.call<{ id: string }>(
        "POST",
        `/chats/${encodeURIComponent(chat_id)}/messages`,
        { author_id: buyerAccount.user_id, type: "text", content: { text: "раз" } },
      );
      await watch.waitUntil(chat_id, performance.now() + 2_000, controller.signal, () =>
        chat.find(first.id) ? true : null,
      );
      expect(chat.find(first.id)).toBeDefined();
      // Half-open: the connection stays, but nothing comes through it any more.
      proxy.silence();
      const streamsBefore = proxy.streams.length;
      const second = await sandbox.call<{ id: string }>(
        "POST",
        `/chats/${encodeURIComponent(chat_id)}/messages`,
        { author_id: buyerAccount.user_id, type: "text", content: { text: "два" } },
      );
      const heard = await watch.waitUntil(
        chat_id,
        performance.now() + 3_000,
        controller.signal,
        () => chat.find(second.id) ?? null,
      );
      expect(heard?.message.content?.text).toBe("два");
      // Followed again with the id of the last event it had: the server sent what was missed.
      expect(proxy.streams.length).toBeGreaterThan(streamsBefore);
      expect(proxy.streams.at(-1)?.lastEventId).toMatch(/^\w+\.\d+$/);
    } finally {
      await watch.close();
      await proxy.close();
    }
  });
});

describe("fault rules", () => {
  test("`for` ends a rule on the sandbox's clock: until is now + for, and advancing past it ends it", async () => {
    const seen: { rules?: Promise<FaultRule[]>; clock?: Promise<{ now: number }> } = {};
    const report = await runScenario(
      scenario({
        buyers: [
          buyer("Эмма", [
            fault({ rule: { operation: "postSendMessage", status: 503 }, forMs: 60_000 }),
            say("А диван?"),
            { kind: "wait", ms: 300, title: "wait", position: AT },
            // The bot keeps being refused until the clock passes the rule's end.
            { kind: "advance", seconds: 120, title: "advance", position: AT },
            reply({ contains: ["продаётся"] }, { withinMs: 5_000 }),
          ]),
        ],
      }),
      options({
        observer: {
          stepEnded: (_run, step) => {
            if (step.kind !== "fault") return;
            seen.rules = ourFaults();
            seen.clock = sandbox.call<{ now: number }>("GET", "/clock");
          },
        },
      }),
    );
    expect(report.buyers[0]?.steps.map((s) => s.failure)).toEqual([null, null, null, null, null]);
    const [made] = (await seen.rules) ?? [];
    const clockNow = (await seen.clock)?.now ?? Number.NaN;
    expect(made?.status).toBe(503);
    // Counted from the sandbox's clock (moved by earlier tests), not from real time.
    expect(Math.abs((made?.until ?? 0) - (clockNow + 60))).toBeLessThanOrEqual(1);
    expect(await ourFaults()).toEqual([]);
  });

  test("clear_faults removes the rules of its own buyer run only; the scenario's end removes the rest", async () => {
    const seen: { afterClear?: Promise<FaultRule[]> } = {};
    const report = await runScenario(
      scenario({
        buyers: [
          buyer("Ада", [
            fault({ rule: { operation: "getVoiceFiles", status: 503, times: 100 } }),
            { kind: "wait", ms: 800, title: "wait", position: AT },
          ]),
          buyer("Боб", [
            { kind: "wait", ms: 300, title: "wait", position: AT },
            fault({ rule: { operation: "getItemsInfo", status: 503, times: 100 } }),
            { kind: "clear_faults", title: "clear", position: AT },
          ]),
        ],
      }),
      options({
        observer: {
          stepEnded: (_run, step) => {
            if (step.kind === "clear_faults") seen.afterClear = ourFaults();
          },
        },
      }),
    );
    expect(report.outcome).toBe("passed");
    expect(((await seen.afterClear) ?? []).map((f) => f.operation)).toEqual(["getVoiceFiles"]);
    expect(await ourFaults()).toEqual([]);
  });

  test("an abort while a fault step's call is on its way leaves no rule behind", async () => {
    const proxy = await startSandboxProxy(server.url);
    // The sandbox takes its time to make the rule: the abort comes first.
    proxy.delay("POST /sandbox/v1/faults", 400);
    const controller = new AbortController();
    try {
      const report = await runScenario(
        scenario({
          buyers: [
            buyer("Вика", [
              say("Привет"),
              fault({ rule: { operation: "postSendMessage", status: 503, times: 50 } }),
              say("ещё"),
            ]),
          ],
        }),
        options({
          sandbox: new SandboxClient({ url: proxy.url, adminToken: server.adminToken }),
          signal: controller.signal,
          observer: {
            stepEnded: (_run, step) => {
              if (step.index === 0) setTimeout(() => controller.abort(), 100);
            },
          },
        }),
      );
      expect(outcomes(report.buyers[0] as BuyerRunReport)).toEqual(["passed", "failed", "skipped"]);
      expect(report.buyers[0]?.steps[1]?.failure?.message).toBe("interrupted");
      expect(await ourFaults()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe("why a step failed", () => {
  test("no reply: the webhook of the buyer's message and the run's fault rules that fired", async () => {
    const report = await runScenario(
      scenario({
        buyers: [
          buyer("Гена", [
            fault({ preset: "webhooks_failing" }),
            say("Сколько стоит? Или молчи"),
            reply({}, { withinMs: 1_500 }),
          ]),
        ],
      }),
      options(),
    );
    const failure = report.buyers[0]?.steps[2]?.failure;
    expect(failure?.message).toBe("no reply within 1.5s");
    // The test server retries every 0.2 s: the preset's three 500s, then the bot's 200.
    expect(failure?.actual).toMatch(
      /^no reply within 1\.5s; the webhook of "Сколько стоит\? Или молчи": 4 attempts, the last answered 200 \(delivered\); fault rule (fault-\d+) \(500 on webhook\) fired 3 times$/,
    );
    expect(report.reply_times).toMatchObject({ count: 0, timed_out: 1 });
    expect(await ourFaults()).toEqual([]);
  });

  test(
    "no reply after a load's worth of deliveries: the buyer's webhook is still found",
    async () => {
      // A server of its own: its seller's deliveries are paused and flooded, which the shared bot
      // should not have to answer.
      const own = await startTestServer();
      const ownApi = new TestApi(own.url, own.adminToken);
      const quiet = await ownApi.createAccount("Бот");
      const quietBot = await startTestBot(own.url, quiet, () => []);
      try {
        await ownApi.sandbox("POST", `/accounts/${quiet.user_id}/webhooks/pause`);
        // Eight other buyers, each in a chat of its own with the seller: their sends do not
        // queue for one chat's row (on PostgreSQL each send holds it for several round trips).
        const writers = await Promise.all(
          Array.from({ length: 8 }, async (_, n) => {
            const other = await ownApi.createAccount(`Другой покупатель ${n}`);
            const { chat_id } = await ownApi.openChat({
              type: "u2u",
              user_ids: [other.user_id, quiet.user_id],
            });
            return { chatId: chat_id, authorId: other.user_id };
          }),
        );
        // More deliveries to the seller after the buyer's message than the log's largest page.
        const flood = async () => {
          let next = 0;
          const writer = async ({ chatId, authorId }: { chatId: string; authorId: number }) => {
            while (next < 1_001) await ownApi.text(chatId, authorId, `№${next++}`);
          };
          await Promise.all(writers.map(writer));
        };
        let flooded: Promise<void> = Promise.resolve();
        let floodDone = false;
        let floodedBeforeExpect = false;
        const report = await runScenario(
          scenario({
            buyers: [
              buyer("Нина", [
                say("Алло"),
                // 1,001 messages take about 1.5 s on a quiet machine with SQLite, a few seconds on
                // PostgreSQL (a round trip per statement); the wait leaves room for busy cores.
                { kind: "wait", ms: FLOOD_WAIT_MS, title: "wait", position: AT },
                reply({}, { withinMs: 100 }),
              ]),
            ],
          }),
          options({
            sandbox: new SandboxClient({ url: own.url, adminToken: own.adminToken }),
            seller: async () => quiet.user_id,
            observer: {
              stepEnded: (_run, step) => {
                if (step.kind === "say") {
                  flooded = flood().then(() => {
                    floodDone = true;
                  });
                }
                if (step.kind === "wait") floodedBeforeExpect = floodDone;
              },
            },
          }),
        );
        await flooded;
        const failure = report.buyers[0]?.steps[2]?.failure;
        expect(failure?.message).toBe("no reply within 100ms");
        expect(failure?.actual).toBe(
          'no reply within 100ms; the webhook of "Алло": not attempted yet (queued)',
        );
        expect(floodedBeforeExpect, "the flood took longer than the wait step").toBe(true);
      } finally {
        await quietBot.close();
        await own.stop();
      }
    },
    FLOOD_WAIT_MS + 15_000,
  );

  test("delivered: how the webhook's attempts went, in words", async () => {
    const report = await runScenario(
      scenario({
        buyers: [
          buyer("Дина", [
            fault({ rule: { operation: "webhook", status: 500 } }),
            say("Здравствуйте"),
            expectThat({ kind: "delivered" }, 1_000),
          ]),
          buyer("Егор", [expectThat({ kind: "delivered" }, 1_000)]),
        ],
        concurrency: 1,
      }),
      options(),
    );
    const [failing, silent] = report.buyers as BuyerRunReport[];
    expect(failing?.steps[2]?.failure).toEqual({
      message: "the webhook was not answered 2xx within 1s",
      expected: "the webhook of the buyer's last message answered 2xx within 1s",
      actual: expect.stringMatching(
        /^\d+ attempts, the last answered 500 by fault rule fault-\d+ \(pending\)$/,
      ),
    });
    expect(silent?.steps[0]?.failure).toEqual({
      message: "the buyer has sent no message",
      expected: "the webhook of the buyer's last message answered 2xx within 1s",
      actual: "no message",
    });
  });

  test("read when the buyer has sent nothing fails at once, saying so", async () => {
    const started = performance.now();
    const report = await runScenario(
      scenario({ buyers: [buyer("Жора", [expectThat({ kind: "read" }, 5_000)])] }),
      options(),
    );
    expect(report.buyers[0]?.steps[0]?.failure).toEqual({
      message: "the buyer has sent no message for the seller to read",
      expected: "the seller marks the buyer's last message read within 5s",
      actual: "no message",
    });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  test("an abort with a reason fails the step in progress with that reason", async () => {
    const controller = new AbortController();
    const report = await runScenario(
      scenario({ buyers: [buyer("Зина", [say("молчи"), reply({}, { withinMs: 10_000 })])] }),
      options({
        signal: controller.signal,
        observer: {
          stepEnded: (_run, step) => {
            if (step.index === 0) {
              setTimeout(() => controller.abort(new Error("the bot exited (code 3)")), 100);
            }
          },
        },
      }),
    );
    // Said once, as the message: nothing came to be `actual`.
    expect(report.buyers[0]?.steps[1]?.failure).toEqual({
      message: "the bot exited (code 3)",
      expected: null,
      actual: null,
    });
    expect(report.outcome).toBe("failed");
  });
});

describe("time", () => {
  test("limits beyond a timer's range wait without spinning, and end at once on an abort", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    const controller = new AbortController();
    const thirtyDays = 30 * 86_400_000;
    try {
      let abortedAt = Number.POSITIVE_INFINITY;
      const report = await runScenario(
        scenario({
          buyers: [
            buyer("Ира", [say("молчи"), reply({}, { withinMs: thirtyDays })]),
            buyer("Кеша", [{ kind: "wait", ms: thirtyDays, title: "wait", position: AT }]),
          ],
        }),
        options({
          signal: controller.signal,
          observer: {
            // Once both are in their long steps (the wait began with the run; the expect begins
            // as the say ends), however long the world took to set up on this store.
            stepEnded: (_run, step) => {
              if (step.kind !== "say") return;
              setTimeout(() => {
                abortedAt = performance.now();
                controller.abort();
              }, 300);
            },
          },
        }),
      );
      expect(performance.now() - abortedAt).toBeLessThan(1_000);
      const [waiting, sleeping] = report.buyers as BuyerRunReport[];
      expect(waiting?.steps[1]?.failure?.message).toBe("interrupted");
      expect(sleeping?.steps[0]?.failure?.message).toBe("interrupted");
      // A timer over 2^31-1 ms would fire after 1 ms, again and again, each with a warning.
      expect(warnings.filter((w) => w.startsWith("TimeoutOverflowWarning"))).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  test("a file's buyers write side by side unless it says otherwise", async () => {
    const parsed = parseScenario(
      [
        "name: Two buyers at once",
        "buyers:",
        "  - name: Лиза",
        "    steps: [{ wait: 1s }]",
        "  - name: Миша",
        "    steps: [{ wait: 1s }]",
      ].join("\n"),
      "together.yaml",
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const heard: string[] = [];
    const started = performance.now();
    const report = await runScenario(
      parsed.scenario,
      options({
        observer: {
          buyerStarted: (b) => heard.push(`start ${b.buyer}`),
          buyerEnded: (b) => heard.push(`end ${b.buyer}`),
        },
      }),
    );
    expect(report.outcome).toBe("passed");
    expect(heard.slice(0, 2).sort()).toEqual(["start Лиза", "start Миша"]);
    expect(performance.now() - started).toBeLessThan(1_900);
  });
});
