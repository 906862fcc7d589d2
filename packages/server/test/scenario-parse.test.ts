// Scenario files in, Scenarios or problems out: a good file becomes the normalised Scenario the
// engine runs; each kind of bad input is reported at its line and column with a message for a
// person, every problem of a file at once; the JSON Schema compiles in ajv's strict mode, takes
// the documented format and its own examples, and is served as the contract's file.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { SERVED_DOCUMENTS } from "../src/http/openapi/served-documents.ts";
import { formatDurationMs, parseDurationMs } from "../src/scenarios/duration.ts";
import type { Scenario, ScenarioProblem } from "../src/scenarios/model.ts";
import { parseScenario } from "../src/scenarios/parse-scenario.ts";
import { fillTemplate, templateVariables } from "../src/scenarios/template.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

const require = createRequire(import.meta.url);
const SCHEMA_FILE = require.resolve("@beseda/contract/scenario.schema.json");
const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Record<string, unknown>;
const FORMAT_EXAMPLE = readFileSync(
  new URL("./fixtures/scenarios/format-example.yaml", import.meta.url),
  "utf8",
);

function parsed(text: string): Scenario {
  const result = parseScenario(text, "happy.yaml");
  if (!result.ok)
    throw new Error(result.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join("\n"));
  return result.scenario;
}

function problems(text: string): ScenarioProblem[] {
  const result = parseScenario(text, "bad.yaml");
  if (result.ok) throw new Error("the file parsed");
  return result.problems;
}

/** The file's buyer `- name: Анна` with these steps (each line already indented as a step). */
function withSteps(...steps: string[]): string {
  return `name: Bad\nbuyers:\n  - name: Анна\n    steps:\n${steps.map((s) => `      ${s}`).join("\n")}\n`;
}

describe("a good file", () => {
  test("becomes a Scenario with defaults filled, durations in ms, titles and positions", () => {
    const scenario = parsed(`# a comment first
name: A buyer asks about the sofa
tags: [smoke, sofa]
timeout: 1.5s
world:
  items:
    sofa:
      title: Диван угловой
      price: "15 000 ₽"
    old-chair: { title: Стул, status: removed, address: "Москва, Тверская 1" }
repeat: 3
concurrency: 2
buyers:
  - name: Анна
    item: sofa
    steps:
      - say: Здравствуйте! Диван ещё продаётся?
      - expect:
          reply: { contains: продаётся, matches: "/заказ №(?<order>\\\\d+)/i" }
          within: 1h30m
          capture: { price: "(\\\\d+) ₽" }
      - say: "Заказ {{order}} за {{price}}, {{buyer.name}} из чата {{ chat.id }}"
      - send: { link: "https://example.com/{{order}}", text: "{{item.old-chair.title}}" }
      - send: { image: ./photo.png }
      - name: the bot stays quiet
        expect: { no_reply: true }
      - expect: { replies: 1, within: 2 }
      - delete: "{{order}}"
      - wait: 500ms
      - advance: 2d
      - fault: { operation: webhook, status: 500, for: 30s }
  - name: Борис
    steps:
      - expect: { reply: {} }
`);
    expect(scenario).toMatchObject({
      name: "A buyer asks about the sofa",
      description: null,
      file: "happy.yaml",
      position: { line: 2, column: 1 },
      tags: ["smoke", "sofa"],
      timeoutMs: 1_500,
      repeat: 3,
      concurrency: 2,
      world: {
        fixture: null,
        seller: null,
        items: [
          {
            key: "sofa",
            title: "Диван угловой",
            priceString: "15 000 ₽",
            status: "active",
            address: null,
            itemId: null,
          },
          {
            key: "old-chair",
            title: "Стул",
            priceString: null,
            status: "removed",
            address: "Москва, Тверская 1",
            itemId: null,
          },
        ],
      },
    });
    const [anna, boris] = scenario.buyers;
    expect(anna).toMatchObject({ name: "Анна", item: "sofa", position: { line: 14, column: 5 } });
    expect(boris).toMatchObject({ name: "Борис", item: null, position: { line: 32, column: 5 } });
    expect(anna?.steps).toEqual([
      {
        kind: "say",
        text: "Здравствуйте! Диван ещё продаётся?",
        title: 'say "Здравствуйте! Диван ещё…"',
        position: { line: 17, column: 9 },
      },
      {
        kind: "expect",
        expectation: {
          kind: "reply",
          matcher: {
            text: null,
            contains: ["продаётся"],
            matches: { source: "заказ №(?<order>\\d+)", flags: "i" },
            type: null,
          },
          capture: { price: "(\\d+) ₽" },
        },
        withinMs: 5_400_000,
        title: 'expect reply contains "продаётся", matches /заказ №(?<order>\\d+)/i',
        position: { line: 18, column: 9 },
      },
      {
        kind: "say",
        text: "Заказ {{order}} за {{price}}, {{buyer.name}} из чата {{ chat.id }}",
        title: 'say "Заказ {{order}} за…"',
        position: { line: 22, column: 9 },
      },
      {
        kind: "send",
        content: {
          type: "link",
          url: "https://example.com/{{order}}",
          text: "{{item.old-chair.title}}",
        },
        title: "send link https://example.com/{{order}}",
        position: { line: 23, column: 9 },
      },
      {
        kind: "send",
        content: { type: "image", source: { path: "./photo.png" } },
        title: "send image ./photo.png",
        position: { line: 24, column: 9 },
      },
      {
        kind: "expect",
        expectation: { kind: "no_reply" },
        withinMs: 2_000,
        title: "the bot stays quiet",
        position: { line: 25, column: 9 },
      },
      {
        kind: "expect",
        expectation: { kind: "replies", count: 1 },
        withinMs: 2_000,
        title: "expect 1 reply",
        position: { line: 27, column: 9 },
      },
      {
        kind: "delete",
        target: { variable: "order" },
        title: "delete {{order}}",
        position: { line: 28, column: 9 },
      },
      { kind: "wait", ms: 500, title: "wait 500ms", position: { line: 29, column: 9 } },
      { kind: "advance", seconds: 172_800, title: "advance 2d", position: { line: 30, column: 9 } },
      {
        kind: "fault",
        fault: {
          preset: null,
          rule: {
            operation: "webhook",
            status: 500,
            latencyMs: null,
            drop: null,
            retryAfter: null,
            times: null,
            probability: null,
          },
          forMs: 30_000,
        },
        title: "fault webhook (status 500, for 30s)",
        position: { line: 31, column: 9 },
      },
    ]);
    expect(boris?.steps).toEqual([
      {
        kind: "expect",
        expectation: {
          kind: "reply",
          matcher: { text: null, contains: [], matches: null, type: null },
          capture: {},
        },
        withinMs: null,
        title: "expect reply",
        position: { line: 34, column: 9 },
      },
    ]);
  });

  test("a minimal file gets every default", () => {
    const scenario = parsed(
      "name: Hi\nbuyers: [{ name: A, steps: [{ say: hi }, { read: true }] }]\n",
    );
    expect(scenario).toMatchObject({
      description: null,
      tags: [],
      timeoutMs: null,
      world: { fixture: null, seller: null, items: [] },
      repeat: 1,
      concurrency: 1,
    });
    expect(scenario.buyers[0]?.steps.map((s) => s.title)).toEqual(['say "hi"', "read"]);
  });

  test("a fixture is a path or the document itself; its items may be taken by item_id", () => {
    const byPath = parsed(`name: F
world:
  fixture: ./shop.json
  seller: 7
  items: { lamp: { item_id: 42 } }
buyers: [{ name: A, item: lamp, steps: [{ fault: token_expired }, { clear_faults: true }] }]
`);
    expect(byPath.world).toEqual({
      fixture: { path: "./shop.json" },
      seller: 7,
      items: [
        { key: "lamp", title: "", priceString: null, status: "active", address: null, itemId: 42 },
      ],
    });
    expect(byPath.buyers[0]?.steps.map((s) => s.title)).toEqual([
      "fault token_expired",
      "clear faults",
    ]);
    const inline = parsed(`name: F
world:
  seller: 7
  fixture:
    format: beseda-fixture
    version: 1
    accounts: [{ user_id: 7 }]
buyers: [{ name: A, steps: [{ say: hi }] }]
`);
    expect(inline.world.fixture).toEqual({
      document: { format: "beseda-fixture", version: 1, accounts: [{ user_id: 7 }] },
    });
  });
});

describe("the brief's format block", () => {
  test("validates against the JSON Schema", () => {
    const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
    expect(validate(parse(FORMAT_EXAMPLE)), JSON.stringify(validate.errors)).toBe(true);
  });

  test("breaks one rule only: it uses {{order}} before the step that captures it", () => {
    expect(problems(FORMAT_EXAMPLE)).toEqual([
      {
        file: "bad.yaml",
        line: 27,
        column: 23,
        path: "buyers[0].steps[5].send.link",
        message:
          "{{order}} is captured only by a later step (step 11): a variable can be used after the step that captures it",
      },
    ]);
  });
});

describe("a bad file", () => {
  const cases: { what: string; text: string; problem: Partial<ScenarioProblem> }[] = [
    {
      what: "YAML syntax",
      text: "name: a\nbuyers: [\n",
      problem: {
        line: 3,
        column: 1,
        path: "",
        message: expect.stringMatching(/^not valid YAML: /),
      },
    },
    {
      what: "a tab as indentation",
      text: "name: a\n\tbuyers: []\n",
      problem: { line: 2, column: 1, message: "not valid YAML: indent with spaces, not tabs" },
    },
    {
      what: "a duplicate key",
      text: withSteps("- say: hi", "  say: again"),
      problem: {
        line: 6,
        column: 9,
        path: "buyers[0].steps[0].say",
        message: 'duplicate key "say": a key appears once in a map',
      },
    },
    {
      what: "an empty file",
      text: "# nothing yet\n",
      problem: {
        line: 1,
        column: 1,
        message: "the file is empty: a scenario needs at least a name and buyers",
      },
    },
    {
      what: "a list",
      text: "\n- name: a\n",
      problem: {
        line: 2,
        column: 1,
        message: "a scenario is a map (name: …, buyers: …), not a list",
      },
    },
    {
      what: "bytes that are not UTF-8",
      text: new TextDecoder().decode(
        Buffer.concat([Buffer.from("name: a\nbuyers: "), Buffer.from([0xff, 0xfe])]),
      ),
      problem: { line: 2, column: 9, message: expect.stringContaining("not UTF-8") },
    },
    {
      what: "two documents",
      text: "name: a\n---\nname: b\n",
      problem: { line: 2, column: 1, message: expect.stringContaining("one scenario per file") },
    },
    {
      what: "a missing key (at the map that lacks it)",
      text: "name: a\nbuyers:\n  - name: Анна\n",
      problem: {
        line: 3,
        column: 5,
        path: "buyers[0].steps",
        message: '"steps" is missing: a buyer needs name and steps',
      },
    },
    {
      what: "an unknown key",
      text: "name: a\ntimout: 5s\nbuyers: [{ name: A, steps: [{ say: hi }] }]\n",
      problem: {
        line: 2,
        column: 1,
        path: "timout",
        message: expect.stringMatching(
          /^unknown key "timout" \(did you mean "timeout"\?\): a scenario takes name, /,
        ),
      },
    },
    {
      what: "an unknown step",
      text: withSteps("- sya: hi"),
      problem: {
        line: 5,
        column: 9,
        path: "buyers[0].steps[0].sya",
        message:
          'unknown step "sya" (did you mean "say"?): a step is one of say, send, read, delete, wait, advance, expect, fault, clear_faults',
      },
    },
    {
      what: "two actions in one step",
      text: withSteps("- say: hi", "  wait: 1s"),
      problem: {
        line: 5,
        column: 9,
        path: "buyers[0].steps[0]",
        message: "a step does one thing, this one has say and wait: make them separate steps",
      },
    },
    {
      what: "a step written as a word",
      text: withSteps("- read"),
      problem: { line: 5, column: 9, message: expect.stringContaining('write "read: true"') },
    },
    {
      what: "a bad key inside the chosen action",
      text: withSteps("- send: { imag: sample }"),
      problem: {
        line: 5,
        column: 17,
        path: "buyers[0].steps[0].send.imag",
        message: expect.stringMatching(/^unknown thing to send "imag" \(did you mean "image"\?\)/),
      },
    },
    {
      what: "a value of the wrong type",
      text: withSteps("- say: 42"),
      problem: {
        line: 5,
        column: 14,
        path: "buyers[0].steps[0].say",
        message: '"say" must be text, not the number 42 (put it in quotes)',
      },
    },
    {
      what: "a bad duration",
      text: withSteps("- expect:", "    reply: {}", "    within: 5 seconds"),
      problem: {
        line: 7,
        column: 19,
        path: "buyers[0].steps[0].expect.within",
        message: '"within" is not a duration: use 500ms, 5s, 2m, 1h30m…',
      },
    },
    {
      what: "capture without reply",
      text: withSteps("- expect: { replies: 2, capture: { order: x } }"),
      problem: {
        line: 5,
        column: 31,
        path: "buyers[0].steps[0].expect.capture",
        message: '"capture" goes with "reply" only: it takes variables from the reply\'s text',
      },
    },
    {
      what: "an item that is not in the world",
      text: "name: a\nworld:\n  items: { sofa: { title: S }, table: { title: T } }\nbuyers:\n  - name: A\n    item: chair\n    steps: [{ say: hi }]\n",
      problem: {
        line: 6,
        column: 11,
        path: "buyers[0].item",
        message: 'item "chair" is not in world.items (sofa, table)',
      },
    },
    {
      what: "seller without a fixture",
      text: "name: a\nworld:\n  seller: 5\nbuyers: [{ name: A, steps: [{ say: hi }] }]\n",
      problem: {
        line: 3,
        column: 3,
        path: "world.seller",
        message: expect.stringContaining('goes with "fixture" only'),
      },
    },
    {
      what: "a fixture without seller",
      text: "name: a\nworld:\n  fixture: ./x.json\nbuyers: [{ name: A, steps: [{ say: hi }] }]\n",
      problem: {
        line: 3,
        column: 3,
        path: "world.seller",
        message: expect.stringMatching(/^"seller" is missing/),
      },
    },
    {
      what: "item_id without a fixture",
      text: "name: a\nworld:\n  items:\n    sofa: { title: S, item_id: 4 }\nbuyers: [{ name: A, steps: [{ say: hi }] }]\n",
      problem: {
        line: 4,
        column: 23,
        path: "world.items.sofa.item_id",
        message: expect.stringContaining("goes with a fixture only"),
      },
    },
    {
      what: "an unknown variable",
      text: withSteps('- say: "Ваш заказ {{ordr}}"'),
      problem: {
        line: 5,
        column: 14,
        path: "buyers[0].steps[0].say",
        message: expect.stringMatching(
          /^unknown variable \{\{ordr\}\}: use a built-in \(buyer\.name, /,
        ),
      },
    },
    {
      what: "a variable captured by another buyer",
      text: `name: a
buyers:
  - name: A
    steps: [{ expect: { reply: {}, capture: { order: "(\\\\d+)" } } }]
  - name: B
    steps: [{ say: "{{order}}" }]
`,
      problem: {
        line: 6,
        column: 20,
        path: "buyers[1].steps[0].say",
        message: expect.stringMatching(/^unknown variable \{\{order\}\}/),
      },
    },
    {
      what: "a regex that does not compile",
      text: withSteps('- expect: { reply: { matches: "(a" } }'),
      problem: {
        line: 5,
        column: 37,
        path: "buyers[0].steps[0].expect.reply.matches",
        message: '"matches" is not a regular expression: unterminated group',
      },
    },
    {
      what: "a wait over 10m",
      text: withSteps("- wait: 11m"),
      problem: {
        line: 5,
        column: 15,
        path: "buyers[0].steps[0].wait",
        message: expect.stringMatching(/^"wait" is at most 10m/),
      },
    },
    {
      what: "too many buyer runs",
      text: "name: a\nrepeat: 5001\nbuyers:\n  - { name: A, steps: [{ say: hi }] }\n  - { name: B, steps: [{ say: hi }] }\n",
      problem: {
        line: 2,
        column: 9,
        path: "repeat",
        message: "repeat × buyers is 5001 × 2 = 10002 buyer runs: at most 10 000",
      },
    },
    {
      what: "an unknown fault preset",
      text: withSteps("- fault: api_dwn"),
      problem: {
        line: 5,
        column: 16,
        path: "buyers[0].steps[0].fault",
        message: expect.stringMatching(
          /^"fault" must be one of rate_limit_storm, .* \(did you mean "api_down"\?\)$/,
        ),
      },
    },
  ];

  test.each(cases)("$what", ({ text, problem }) => {
    expect(problems(text)).toEqual([{ file: "bad.yaml", path: expect.any(String), ...problem }]);
  });

  test("every problem of a file is reported, in the order of the file", () => {
    const found = problems(`name: Three problems
repeat: 0
buyers:
  - name: Анна
    steps:
      - sya: hi
      - wait: soon
`);
    expect(found.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
      "2:9 repeat",
      "6:9 buyers[0].steps[0].sya",
      "7:15 buyers[0].steps[1].wait",
    ]);
  });
});

describe("the JSON Schema", () => {
  test("compiles in ajv's strict mode, with a description on every property", () => {
    expect(() => new Ajv({ strict: true }).compile(schema)).not.toThrow();
    const undescribed: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (typeof node !== "object" || node === null) return;
      const properties = (node as { properties?: Record<string, Record<string, unknown>> })
        .properties;
      for (const [key, property] of Object.entries(properties ?? {})) {
        if (!property.description && !property.$ref) undescribed.push(`${at}.${key}`);
      }
      for (const [key, child] of Object.entries(node)) walk(child, `${at}.${key}`);
    };
    walk(schema, "#");
    expect(undescribed).toEqual([]);
  });

  test("every example it gives is valid where it is given", () => {
    const ajv = new Ajv({ strict: false });
    ajv.addSchema(schema);
    const invalid: string[] = [];
    const walk = (node: unknown, pointer: string) => {
      if (typeof node !== "object" || node === null || Array.isArray(node)) return;
      const examples = (node as { examples?: unknown[] }).examples ?? [];
      // Only schemas have examples (a `properties` map has none): compile just those.
      const validate = examples.length > 0 ? ajv.getSchema(`${schema.$id}#${pointer}`) : null;
      for (const example of examples) {
        if (!validate?.(example)) invalid.push(`${pointer}: ${JSON.stringify(example)}`);
      }
      for (const [key, child] of Object.entries(node)) {
        if (key !== "examples") walk(child, `${pointer}/${key}`);
      }
    };
    walk(schema, "");
    expect(invalid).toEqual([]);
  });
});

describe("durations and templates", () => {
  test.each([
    ["500ms", 500],
    ["5s", 5_000],
    ["1.5s", 1_500],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["1d", 86_400_000],
    ["1h30m", 5_400_000],
    [2, 2_000],
    [0.25, 250],
  ] as const)("%s is %d ms", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  test.each(["", "5", "5 s", "5x", "s", "-1s", "1h 30m"])("%j is no duration", (text) => {
    expect(parseDurationMs(text)).toBeNull();
  });

  test("a negative number is no duration; formatting reads back", () => {
    expect(parseDurationMs(-1)).toBeNull();
    expect([500, 1_500, 5_400_000, 90_061_000].map(formatDurationMs)).toEqual([
      "500ms",
      "1.5s",
      "1h30m",
      "1d1h1m1s",
    ]);
  });

  test("a template's variables are filled in, and an unknown one throws", () => {
    const text = "Заказ {{order}} для {{ buyer.name }}: {{order}}";
    expect(templateVariables(text)).toEqual(["order", "buyer.name"]);
    expect(fillTemplate(text, { order: "17", "buyer.name": "Анна" })).toBe("Заказ 17 для Анна: 17");
    expect(() => fillTemplate(text, { order: "17" })).toThrow("unknown variable {{buyer.name}}");
  });
});

describe("GET /openapi/scenario.schema.json", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test("serves the contract's file as it is, publicly, and /docs does not list it", async () => {
    const response = await fetch(`${server.url}/openapi/scenario.schema.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/schema+json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(await response.text()).toBe(readFileSync(SCHEMA_FILE, "utf8"));
    expect(SERVED_DOCUMENTS.map((d) => d.name)).not.toContain("scenario.schema.json");
  });
});
