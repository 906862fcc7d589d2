// Scenarios through the sandbox API: POST /sandbox/v1/scenarios/run starts one against this very
// server, GET /sandbox/v1/scenarios/runs/{run_id} follows it to its report. A real bot answers:
// a webhook receiver subscribed for the seller that replies through the messenger API. Malformed
// scenarios are refused before anything is created; runs can be listed and cancelled; a load
// test's report keeps the steps of only the first 20 buyer runs of each outcome; the server's
// close aborts a running run promptly, and the run still removes its fault rules. The registry of
// runs itself: the last runs kept (never a running one evicted), at most so many running, its
// times from the clock it is given.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SandboxClient } from "../src/cli/sandbox-client.ts";
import { type JsonSchema, resolveRefs, sandboxDocument } from "../src/http/openapi/contract.ts";
import { KEPT_PER_OUTCOME } from "../src/scenarios/kept-steps.ts";
import type { Scenario } from "../src/scenarios/model.ts";
import { parseScenario } from "../src/scenarios/parse-scenario.ts";
import {
  type RunContext,
  type ScenarioRun,
  type ScenarioRunSummary,
  ScenarioRuns,
} from "../src/scenarios/scenario-runs.ts";
import { type ApiResponse, type Credentials, TestApi } from "./helpers/api.ts";
import { assertErrorEnvelope, assertMatches } from "./helpers/contract-validator.ts";
import { startTestServer, type TestServer, tempDataDir } from "./helpers/test-server.ts";

const PREFIX = "/sandbox/v1";

interface Envelope {
  payload?: { type: string; value: { chat_id: string; user_id: number; author_id: number } };
}

interface WebhookMessage {
  chat_id: string;
  user_id: number;
  author_id: number;
  type: string;
  content: { text?: string };
}

/** What the bot answers to a buyer's text; null: it stays silent. */
function answerTo(text: string): string | null {
  const order = /^Мой заказ (\d+)$/.exec(text);
  if (order) return `Заказ ${order[1]} принят`;
  if (text.includes("продаётся")) return "Да, продаётся! Заказ №123";
  if (text.includes("молчи")) return null;
  return "Не понял вопроса";
}

/**
 * A bot as an integrator writes one: its webhook answers 200 at once, and each buyer's text gets
 * its reply through postSendMessage with the seller's token.
 */
async function startBot(
  api: TestApi,
  seller: Credentials,
): Promise<{ url: string; server: Server }> {
  const token = await api.token(seller);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      response.writeHead(200).end("{}");
      const envelope = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Envelope;
      const message = envelope.payload?.value as WebhookMessage | undefined;
      if (!message || message.author_id === message.user_id || message.type !== "text") return;
      const answer = answerTo(message.content.text ?? "");
      if (answer === null) return;
      void api.call("postSendMessage", {
        token,
        params: { user_id: message.user_id, chat_id: message.chat_id },
        json: { message: { text: answer }, type: "text" },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/avito/webhook`;
  const subscribed = await api.call("postWebhookV3", { token, params: {}, json: { url } });
  expect(subscribed.status).toBe(200);
  return { url, server };
}

/** The document's schema of an answer, by the route's method, path template and status. */
function documented(method: string, template: string, status: number): JsonSchema {
  const item = sandboxDocument.paths[`${PREFIX}${template}`] as Record<string, unknown>;
  const operation = resolveRefs(sandboxDocument, item[method.toLowerCase()]) as {
    responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
  };
  const schema = operation.responses[String(status)]?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`${method} ${template} documents no ${status} body`);
  return schema;
}

function expectDocumented(method: string, template: string, response: ApiResponse): void {
  const schema = documented(method, template, response.status);
  assertMatches(`${method} ${template} ${response.status}`, schema, response.body);
  if (response.status >= 400) assertErrorEnvelope(response.status, response.body);
}

let server: TestServer;
let api: TestApi;
let seller: Credentials;
let bot: Server;

beforeAll(async () => {
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
  seller = await api.createAccount("Магазин диванов");
  bot = (await startBot(api, seller)).server;
});
afterAll(async () => {
  await server.stop();
  await new Promise((resolve) => bot.close(resolve));
});

function run(scenario: string, account?: number) {
  return api.sandbox<ScenarioRun>("POST", "/scenarios/run", {
    scenario,
    ...(account === undefined ? {} : { account }),
  });
}

/** Polls the run until it is no longer running. */
async function ended(client: TestApi, id: string, timeoutMs = 15_000): Promise<ScenarioRun> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const response = await client.sandbox<ScenarioRun>("GET", `/scenarios/runs/${id}`);
    expect(response.status).toBe(200);
    expectDocumented("GET", "/scenarios/runs/{run_id}", response);
    if (response.body.status !== "running") return response.body;
    if (performance.now() > deadline) throw new Error(`run ${id} still running: ${response.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const PASSING = `name: A buyer asks about the sofa
tags: [smoke]
world:
  items:
    sofa: { title: Диван угловой, price: "15 000 ₽" }
buyers:
  - name: Анна
    item: sofa
    steps:
      - say: Здравствуйте! Диван ещё продаётся?
      - expect:
          reply: { contains: продаётся }
          within: 5s
          capture: { order: "№(\\\\d+)" }
      - say: "Мой заказ {{order}}"
      - expect: { reply: { text: "Заказ {{order}} принят" }, within: 5s }
`;

const FAILING = `name: The bot says it is out of stock
world:
  items:
    sofa: { title: Диван прямой }
buyers:
  - name: Борис
    item: sofa
    steps:
      - say: Диван ещё продаётся?
      - expect: { reply: { contains: "нет в наличии" }, within: 5s }
      - say: Тогда до свидания
`;

/** A scenario that waits long enough to be caught running. */
function waiting(name: string): string {
  return `name: ${name}
buyers:
  - name: Терпеливый
    steps:
      - wait: 1m
`;
}

describe("POST /sandbox/v1/scenarios/run", () => {
  test("a passing scenario: 202 running, then passed with every step's report", async () => {
    const started = await run(PASSING, seller.user_id);
    expect(started.status, started.text).toBe(202);
    expectDocumented("POST", "/scenarios/run", started);
    expect(started.body).toMatchObject({
      status: "running",
      scenario: "A buyer asks about the sofa",
      account: seller.user_id,
      ended_at: null,
    });
    expect(started.body.id).toMatch(/^run-[0-9a-f]{16}$/);
    expect(started.headers.get("location")).toBe(`${PREFIX}/scenarios/runs/${started.body.id}`);

    const done = await ended(api, started.body.id);
    expect(done.status, JSON.stringify(done.report)).toBe("passed");
    expect(done.ended_at).not.toBeNull();
    const report = done.report;
    expect(report).toMatchObject({
      name: "A buyer asks about the sofa",
      file: "<request>",
      outcome: "passed",
      error: null,
      seller_id: seller.user_id,
    });
    expect(report?.buyers).toHaveLength(1);
    const buyer = report?.buyers[0];
    expect(buyer).toMatchObject({ buyer: "Анна", run: 1, outcome: "passed" });
    expect(buyer?.variables).toMatchObject({ order: "123" });
    expect(buyer?.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ["say", "passed"],
      ["expect", "passed"],
      ["say", "passed"],
      ["expect", "passed"],
    ]);
    expect(buyer?.steps[1]?.position.line).toBe(11);
    expect(buyer?.steps[1]?.reply_ms).toEqual(expect.any(Number));
    expect(report?.reply_times?.count).toBe(2);
  });

  test("a failing one: failed, the step with expected and actual, the rest skipped", async () => {
    const started = await run(FAILING, seller.user_id);
    expect(started.status, started.text).toBe(202);
    const done = await ended(api, started.body.id);
    expect(done.status).toBe("failed");
    const buyer = done.report?.buyers[0];
    expect(buyer?.outcome).toBe("failed");
    expect(buyer?.steps.map((s) => s.outcome)).toEqual(["passed", "failed", "skipped"]);
    const failure = buyer?.steps[1]?.failure;
    expect(failure?.expected).toContain("нет в наличии");
    expect(failure?.actual).toContain("Да, продаётся! Заказ №123");
    expect(buyer?.conversation.map((line) => [line.side, line.text])).toEqual([
      ["buyer", "Диван ещё продаётся?"],
      ["seller", "Да, продаётся! Заказ №123"],
    ]);
  });

  test("a seller without a webhook subscription: failed, the report says why, nothing ran", async () => {
    const deaf = await api.createAccount("Без вебхука");
    const started = await run(PASSING, deaf.user_id);
    expect(started.status, started.text).toBe(202);
    const done = await ended(api, started.body.id);
    expect(done.status).toBe("failed");
    expect(done.report?.error).toContain(
      `account ${deaf.user_id} has no webhook subscription: nothing would reach its bot`,
    );
    expect(done.report?.buyers.map((b) => b.outcome)).toEqual(["skipped"]);
  });

  test("a step naming a file fails with what the API takes instead", async () => {
    const started = await run(
      `name: Sends a photo from disk
buyers:
  - name: Вера
    steps:
      - send: { image: ./photo.png }
`,
      seller.user_id,
    );
    expect(started.status, started.text).toBe(202);
    const done = await ended(api, started.body.id);
    expect(done.status).toBe("failed");
    expect(JSON.stringify(done.report)).toContain("files cannot be named through the API");
  });

  test("a malformed scenario: 400 naming each problem by line:column, and nothing is created", async () => {
    const accountsBefore = (await api.sandbox("GET", "/accounts")).text;
    const runsBefore = (await api.sandbox("GET", "/scenarios/runs")).text;
    const refused = await run(
      `name: Broken
buyers:
  - name: Глеб
    steps:
      - say: Здравствуйте
      - shout: ЭЙ
      - expect: { reply: { contains: "{{nobody}}" } }
`,
      seller.user_id,
    );
    expect(refused.status, refused.text).toBe(400);
    expectDocumented("POST", "/scenarios/run", refused);
    const fields = (refused.body as unknown as { error: { fields: Record<string, string> } }).error
      .fields;
    const keys = Object.keys(fields);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) expect(key).toMatch(/^\d+:\d+( \S+)?$/);
    expect(keys.some((k) => k.startsWith("6:"))).toBe(true);
    expect(keys.some((k) => k.startsWith("7:"))).toBe(true);
    expect((await api.sandbox("GET", "/accounts")).text).toBe(accountsBefore);
    expect((await api.sandbox("GET", "/scenarios/runs")).text).toBe(runsBefore);
  });

  test("YAML that does not parse: 400 with where", async () => {
    const refused = await run("name: [unclosed\nbuyers: {", seller.user_id);
    expect(refused.status, refused.text).toBe(400);
    const fields = (refused.body as unknown as { error: { fields: Record<string, string> } }).error
      .fields;
    for (const key of Object.keys(fields)) expect(key).toMatch(/^\d+:\d+/);
  });

  test("without an account: 400 naming account; an unknown account: 404", async () => {
    const missing = await run(PASSING);
    expect(missing.status).toBe(400);
    expectDocumented("POST", "/scenarios/run", missing);
    expect(
      (missing.body as unknown as { error: { fields: Record<string, string> } }).error.fields,
    ).toHaveProperty("account");
    const unknown = await run(PASSING, 999_999_999);
    expect(unknown.status).toBe(404);
    expectDocumented("POST", "/scenarios/run", unknown);
  });

  test("a body that is not a scenario: 400; YAML past 256 KB: 413", async () => {
    const empty = await api.sandbox("POST", "/scenarios/run", { account: seller.user_id });
    expect(empty.status).toBe(400);
    expectDocumented("POST", "/scenarios/run", empty);
    const huge = await run(`name: Huge\n# ${"ы".repeat(140 * 1024)}\n`, seller.user_id);
    expect(huge.status).toBe(413);
    expectDocumented("POST", "/scenarios/run", huge);
  });
});

describe("runs", () => {
  test("an unknown run: 404 in the envelope, for GET and cancel", async () => {
    const get = await api.sandbox("GET", "/scenarios/runs/run-nope");
    expect(get.status).toBe(404);
    expectDocumented("GET", "/scenarios/runs/{run_id}", get);
    const cancel = await api.sandbox("POST", "/scenarios/runs/run-nope/cancel");
    expect(cancel.status).toBe(404);
    expectDocumented("POST", "/scenarios/runs/{run_id}/cancel", cancel);
  });

  test("the list: newest first, without reports", async () => {
    const started = await run(PASSING, seller.user_id);
    await ended(api, started.body.id);
    const list = await api.sandbox<{ runs: ScenarioRunSummary[] }>("GET", "/scenarios/runs");
    expect(list.status).toBe(200);
    expectDocumented("GET", "/scenarios/runs", list);
    expect(list.body.runs[0]).toMatchObject({ id: started.body.id, status: "passed" });
    expect(list.body.runs.length).toBeGreaterThan(1);
    expect(list.body.runs[0]).not.toHaveProperty("report");
  });

  test("cancel: a running run ends cancelled at once; cancelling again answers it as it is", async () => {
    const started = await run(waiting("Waits a minute"), seller.user_id);
    expect(started.status, started.text).toBe(202);
    const before = performance.now();
    const cancelled = await api.sandbox<ScenarioRun>(
      "POST",
      `/scenarios/runs/${started.body.id}/cancel`,
    );
    expect(performance.now() - before).toBeLessThan(5_000);
    expect(cancelled.status, cancelled.text).toBe(200);
    expectDocumented("POST", "/scenarios/runs/{run_id}/cancel", cancelled);
    expect(cancelled.body.status).toBe("cancelled");
    expect(cancelled.body.ended_at).not.toBeNull();
    const again = await api.sandbox<ScenarioRun>(
      "POST",
      `/scenarios/runs/${started.body.id}/cancel`,
    );
    expect(again.body).toEqual(cancelled.body);
  });

  test("at most 5 at once: the sixth is 409", async () => {
    const ids: string[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const started = await run(waiting(`Waiter ${i}`), seller.user_id);
        expect(started.status, started.text).toBe(202);
        ids.push(started.body.id);
      }
      const busy = await run(waiting("One too many"), seller.user_id);
      expect(busy.status).toBe(409);
      expectDocumented("POST", "/scenarios/run", busy);
      expect((busy.body as unknown as { error: { message: string } }).error.message).toContain(
        "5 scenario runs are running already",
      );
    } finally {
      await Promise.all(ids.map((id) => api.sandbox("POST", `/scenarios/runs/${id}/cancel`)));
    }
  });
});

describe("a load test's report", () => {
  test(`keeps the steps and conversation of the first ${KEPT_PER_OUTCOME} buyer runs of each outcome`, async () => {
    const runs = KEPT_PER_OUTCOME + 2;
    const started = await run(
      `name: Many buyers
repeat: ${runs}
concurrency: 10
buyers:
  - name: Тихий
    steps:
      - say: Привет
  - name: Спрашивающий
    steps:
      - say: Вопрос
      - expect: { reply: { text: "никогда" }, within: 5s }
      - say: Ещё
`,
      seller.user_id,
    );
    expect(started.status, started.text).toBe(202);
    const done = await ended(api, started.body.id, 40_000);
    const buyers = done.report?.buyers ?? [];
    for (const outcome of ["passed", "failed"] as const) {
      const these = buyers.filter((b) => b.outcome === outcome);
      expect(these).toHaveLength(runs);
      const full = these.filter((b) => b.steps.length > 0);
      expect(full).toHaveLength(KEPT_PER_OUTCOME);
      // The rest keep who they were and how they went, without their steps and chat.
      for (const buyer of these.filter((b) => b.steps.length === 0)) {
        expect(buyer.conversation).toEqual([]);
        expect(buyer.buyer_id).toEqual(expect.any(Number));
        expect(buyer.chat_id).toEqual(expect.any(String));
      }
      if (outcome === "failed") {
        for (const buyer of full) expect(buyer.conversation.length).toBeGreaterThan(0);
      }
    }
  }, 60_000);
});

describe("the registry of runs", () => {
  const QUICK = scenarioOf(`name: Quick
buyers:
  - name: Быстрый
    steps:
      - say: Привет
`);
  const SLOW = scenarioOf(`name: Slow
buyers:
  - name: Медленный
    steps:
      - wait: 1m
`);

  function scenarioOf(text: string): Scenario {
    const parsed = parseScenario(text, "<test>");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return parsed.scenario;
  }

  function context(): RunContext {
    return {
      sandbox: new SandboxClient({ url: server.url, adminToken: server.adminToken }),
      seller: async () => seller.user_id,
      readFile: async () => {
        throw new Error("no files here");
      },
      defaultTimeoutMs: 5_000,
    };
  }

  function started(runs: ScenarioRuns, scenario: Scenario): ScenarioRun {
    const result = runs.start(scenario, seller.user_id, context());
    if (!result.started) throw new Error(`not started: ${result.reason}`);
    return result.run;
  }

  async function endOf(runs: ScenarioRuns, id: string): Promise<ScenarioRun> {
    const deadline = performance.now() + 15_000;
    for (;;) {
      const run = runs.get(id);
      if (run === null) throw new Error(`run ${id} is gone`);
      if (run.status !== "running") return run;
      if (performance.now() > deadline) throw new Error(`run ${id} still running`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  test("keeps the last runs, the oldest ended ones going first, never a running one", async () => {
    const runs = new ScenarioRuns({ now: Date.now, kept: 3 });
    try {
      const slow = started(runs, SLOW);
      const quick: string[] = [];
      for (let i = 0; i < 4; i++) {
        const { id } = started(runs, QUICK);
        expect((await endOf(runs, id)).status).toBe("passed");
        quick.push(id);
      }
      expect(runs.list().map((r) => r.id)).toEqual([quick[3], quick[2], slow.id]);
      expect(runs.get(quick[0] as string)).toBeNull();
      expect(runs.get(quick[1] as string)).toBeNull();
      expect(runs.get(slow.id)?.status).toBe("running");
    } finally {
      await runs.close();
    }
  });

  test("runs at most maxRunning at once; a cancelled one makes room; a closed registry starts none", async () => {
    const runs = new ScenarioRuns({ now: Date.now, maxRunning: 1 });
    try {
      const slow = started(runs, SLOW);
      expect(runs.start(QUICK, seller.user_id, context())).toEqual({
        started: false,
        reason: "busy",
      });
      expect((await runs.cancel(slow.id))?.status).toBe("cancelled");
      const quick = started(runs, QUICK);
      expect((await endOf(runs, quick.id)).status).toBe("passed");
      await runs.close();
      expect(runs.start(QUICK, seller.user_id, context())).toEqual({
        started: false,
        reason: "closed",
      });
    } finally {
      await runs.close();
    }
  });

  test("stamps started_at and ended_at with the clock it is given", async () => {
    const startedAt = Date.parse("2031-02-03T04:05:06.789Z");
    let now = startedAt;
    const runs = new ScenarioRuns({ now: () => now });
    try {
      const run = started(runs, QUICK);
      expect(run.started_at).toBe("2031-02-03T04:05:06.789Z");
      now = startedAt + 61_000;
      const done = await endOf(runs, run.id);
      expect(done.status).toBe("passed");
      expect(done.started_at).toBe("2031-02-03T04:05:06.789Z");
      expect(done.ended_at).toBe("2031-02-03T04:06:07.789Z");
      // The engine's report is stamped by the same clock.
      expect(done.report?.started_at).toBe("2031-02-03T04:05:06.789Z");
    } finally {
      await runs.close();
    }
  });
});

describe("the server's close", () => {
  test("aborts a running run promptly, and the run removes the fault rule it made", async () => {
    const dataDir = tempDataDir();
    const own = await startTestServer({ dataDir });
    const ownApi = new TestApi(own.url, own.adminToken);
    const ownSeller = await ownApi.createAccount("Продавец");
    const ownBot = await startBot(ownApi, ownSeller);
    let closed = false;
    try {
      const response = await ownApi.sandbox<ScenarioRun>("POST", "/scenarios/run", {
        scenario: `name: A fault, then a long wait
buyers:
  - name: Дарья
    steps:
      - fault: { operation: getChatsV2, status: 503, times: 100 }
      - wait: 1m
`,
        account: ownSeller.user_id,
      });
      expect(response.status, response.text).toBe(202);
      // Caught in its wait: the fault rule is in place.
      const deadline = performance.now() + 10_000;
      for (;;) {
        const faults = await ownApi.sandbox<{ faults: unknown[] }>("GET", "/faults");
        if (faults.body.faults.length === 1) break;
        if (performance.now() > deadline) throw new Error("the fault rule never appeared");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const before = performance.now();
      await own.close();
      closed = true;
      expect(performance.now() - before).toBeLessThan(4_000);
    } finally {
      if (!closed) await own.close();
      await new Promise((resolve) => ownBot.server.close(resolve));
    }
    // The same data dir again: the rule the aborted run made is gone.
    const again = await startTestServer({ dataDir });
    try {
      const againApi = new TestApi(again.url, again.adminToken);
      const faults = await againApi.sandbox<{ faults: unknown[] }>("GET", "/faults");
      expect(faults.body.faults).toEqual([]);
    } finally {
      await again.stop();
    }
  });
});
