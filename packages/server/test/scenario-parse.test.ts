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
import { fallbackProblems, SCENARIO_AJV_OPTIONS } from "../src/scenarios/scenario-schema.ts";
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
          within: 1m30s
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
          capture: { price: { source: "(\\d+) ₽", flags: "" } },
        },
        withinMs: 90_000,
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

  test("concurrency defaults to the number of buyers: one repetition's buyers write at once", () => {
    const two = "buyers: [{ name: A, steps: [{ say: hi }] }, { name: B, steps: [{ say: hi }] }]";
    expect(parsed(`name: Two\nrepeat: 3\n${two}\n`).concurrency).toBe(2);
    expect(parsed(`name: Two\nconcurrency: 1\n${two}\n`).concurrency).toBe(1);
  });

  test("the longest time limits are taken: within and timeout 1h, for 1d, wait 10m", () => {
    const scenario = parsed(`name: Long
timeout: 3600
buyers:
  - name: A
    steps:
      - fault: { preset: api_down, for: 1d }
      - wait: 10m
      - expect: { reply: {}, within: 1h }
      - expect: { no_reply: true, within: 60m }
`);
    expect(scenario.timeoutMs).toBe(3_600_000);
    expect(scenario.buyers[0]?.steps.map((s) => (s.kind === "expect" ? s.withinMs : null))).toEqual(
      [null, null, 3_600_000, 3_600_000],
    );
  });

  test("a U+FFFD is a character like any other, and a trailing --- starts no scenario", () => {
    // The text is decoded already: whether its bytes were UTF-8 is the reader's question.
    expect(
      parsed("name: Replacement \uFFFD\nbuyers: [{ name: A, steps: [{ say: \uFFFD }] }]\n").name,
    ).toBe("Replacement \uFFFD");
    const body = "name: Ends\nbuyers: [{ name: A, steps: [{ say: hi }] }]\n";
    expect(parsed(`${body}---\n`).name).toBe("Ends");
    expect(parsed(`---\n${body}---\n# nothing more\n---\n`).name).toBe("Ends");
  });

  test("a capture may be /regex/flags, as matches may; a link may have {{ spaced }} variables", () => {
    const scenario = parsed(
      withSteps(
        "- say: hi",
        '- expect: { reply: {}, capture: { city: "/в (\\\\w+)/i", order: "№(\\\\d+)" } }',
        '- send: { link: "https://example.com/{{ order }}?city={{city}}", text: "{{ city }}" }',
      ).replace("name: Bad", "name: Captures"),
    );
    const [, expectStep, send] = scenario.buyers[0]?.steps ?? [];
    expect(expectStep).toMatchObject({
      expectation: {
        capture: {
          city: { source: "в (\\w+)", flags: "i" },
          order: { source: "№(\\d+)", flags: "" },
        },
      },
    });
    expect(send).toMatchObject({
      content: { type: "link", url: "https://example.com/{{ order }}?city={{city}}" },
    });
  });

  test("a fault's drop replaces its preset's status; operations are the API's, * and webhook", () => {
    const scenario = parsed(
      withSteps(
        "- fault: { preset: api_down, drop: before }",
        "- fault: { preset: rate_limit_storm, retry_after: 3 }",
        "- fault: { operation: getAccessToken, status: 503 }",
        "- fault: { operation: getItemsInfo, latency_ms: 500 }",
        "- fault: { operation: webhook, status: 404, times: 2 }",
        '- fault: { operation: "*", status: 429, retry_after: 1 }',
        "- fault: { preset: webhooks_failing, status: 502 }",
      ),
    );
    const faults = scenario.buyers[0]?.steps.map((s) => (s.kind === "fault" ? s.fault : null));
    expect(faults?.[0]).toEqual({
      preset: "api_down",
      rule: {
        operation: null,
        status: null,
        latencyMs: null,
        drop: "before",
        retryAfter: null,
        times: null,
        probability: null,
      },
      forMs: null,
    });
    expect(faults?.map((f) => f?.rule.operation ?? f?.preset)).toEqual([
      "api_down",
      "rate_limit_storm",
      "getAccessToken",
      "getItemsInfo",
      "webhook",
      "*",
      "webhooks_failing",
    ]);
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
    const validate = new Ajv({ ...SCENARIO_AJV_OPTIONS, allErrors: true }).compile(schema);
    expect(validate(parse(FORMAT_EXAMPLE)), JSON.stringify(validate.errors)).toBe(true);
  });

  test("breaks one rule only: it uses {{order}} before the step that captures it", () => {
    expect(problems(FORMAT_EXAMPLE)).toEqual([
      {
        file: "bad.yaml",
        line: 28,
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
      what: "a NUL character",
      text: "name: a\nbuyers: \0\n",
      problem: { line: 2, column: 9, message: expect.stringContaining("binary") },
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
        message:
          '"within" is not a duration: "5 seconds"; write 500ms, 5s, 1.5s, 2m, 1h30m or a number of seconds',
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
      text: "name: a\nworld:\n  items:\n    sofa: { item_id: 4 }\nbuyers: [{ name: A, steps: [{ say: hi }] }]\n",
      problem: {
        line: 4,
        column: 13,
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

describe("a bad file, said once and in words", () => {
  const longText = "д".repeat(1001);
  const cases: { what: string; text: string; problem: Partial<ScenarioProblem> }[] = [
    {
      what: "a time limit over 1h",
      text: withSteps("- expect: { reply: {}, within: 30d }"),
      problem: {
        path: "buyers[0].steps[0].expect.within",
        message: '"within" is at most 1h, not 30d',
      },
    },
    {
      what: "a time limit over 1h, in seconds",
      text: withSteps("- expect: { no_reply: true, within: 7200 }"),
      problem: { message: '"within" is at most 1h, not 2h' },
    },
    {
      what: "a file's timeout over 1h",
      text: "name: a\ntimeout: 2h\nbuyers: [{ name: A, steps: [{ say: hi }] }]\n",
      problem: { line: 2, column: 10, path: "timeout", message: '"timeout" is at most 1h, not 2h' },
    },
    {
      what: "a fault for over 1d",
      text: withSteps("- fault: { preset: api_down, for: 30d }"),
      problem: { path: "buyers[0].steps[0].fault.for", message: '"for" is at most 1d, not 30d' },
    },
    {
      what: "an infinite time limit (YAML's .inf)",
      text: withSteps("- expect: { reply: {}, within: .inf }"),
      problem: {
        path: "buyers[0].steps[0].expect.within",
        message:
          '"within" is not a duration: the number Infinity; write 500ms, 5s, 1.5s, 2m, 1h30m or a number of seconds',
      },
    },
    {
      what: "a wait of .nan",
      text: withSteps("- wait: .nan"),
      problem: { message: expect.stringMatching(/^"wait" is not a duration: the number NaN; /) },
    },
    {
      what: "a say of spaces only",
      text: withSteps('- say: "   "'),
      problem: {
        path: "buyers[0].steps[0].say",
        message: '"say" has only spaces: write some text',
      },
    },
    {
      what: "an empty say",
      text: withSteps('- say: ""'),
      problem: { message: '"say" is empty' },
    },
    {
      what: "a say longer than the sandbox takes",
      text: withSteps(`- say: ${longText}`),
      problem: { message: '"say" is too long: at most 1000 characters (it has 1001)' },
    },
    {
      what: "a link with nothing after https://",
      text: withSteps('- send: { link: "https://" }'),
      problem: {
        path: "buyers[0].steps[0].send.link",
        message: '"link" must be an http:// or https:// URL with no spaces, not "https://"',
      },
    },
    {
      what: "a link with a space",
      text: withSteps('- send: { link: "https://example.com/a b" }'),
      problem: { message: expect.stringMatching(/^"link" must be an http:\/\/ or https:\/\/ URL/) },
    },
    {
      what: "a link text of spaces only",
      text: withSteps('- send: { link: "https://example.com", text: " " }'),
      problem: {
        path: "buyers[0].steps[0].send.text",
        message: '"text" has only spaces: write some text',
      },
    },
    {
      what: "a location title of spaces only",
      text: withSteps('- send: { location: { lat: 1, lon: 2, title: "  " } }'),
      problem: { message: '"title" has only spaces: write some text' },
    },
    {
      what: "an empty price (an item message could not carry it)",
      text: 'name: a\nworld:\n  items: { sofa: { title: S, price: "" } }\nbuyers: [{ name: A, steps: [{ say: hi }] }]\n',
      problem: { path: "world.items.sofa.price", message: '"price" is empty' },
    },
    {
      what: "an item title of spaces only",
      text: 'name: a\nworld:\n  items: { sofa: { title: "  " } }\nbuyers: [{ name: A, steps: [{ say: hi }] }]\n',
      problem: {
        path: "world.items.sofa.title",
        message: '"title" has only spaces: write some text',
      },
    },
    {
      what: "a variable used by the step that captures it",
      text: withSteps(
        "- say: hi",
        '- expect: { reply: { contains: "{{order}}" }, capture: { order: "(\\\\d+)" } }',
      ),
      problem: {
        path: "buyers[0].steps[1].expect.reply.contains",
        message: "{{order}} is captured by this step: it can be used from the next step on",
      },
    },
    {
      what: "a misspelt key of a fault: that one problem, not the rules' guesses after it",
      text: withSteps("- fault: { presets: api_down }"),
      problem: {
        line: 5,
        column: 18,
        path: "buyers[0].steps[0].fault.presets",
        message: expect.stringMatching(/^unknown key "presets" \(did you mean "preset"\?\)/),
      },
    },
    {
      what: "an item key that is no key, said once",
      text: "name: a\nworld: { items: { sofa: { title: S } } }\nbuyers: [{ name: A, item: Sofa, steps: [{ say: hi }] }]\n",
      problem: {
        path: "buyers[0].item",
        message: expect.stringMatching(/^"Sofa" is not an item key/),
      },
    },
    {
      what: "a preset cut short",
      text: withSteps("- fault: rate_limit"),
      problem: { message: expect.stringMatching(/\(did you mean "rate_limit_storm"\?\)$/) },
    },
    {
      what: "a preset cut short, in a map",
      text: withSteps("- fault: { preset: rate_limit, times: 2 }"),
      problem: {
        path: "buyers[0].steps[0].fault.preset",
        message: expect.stringMatching(/\(did you mean "rate_limit_storm"\?\)$/),
      },
    },
    {
      what: "a flag that keeps state",
      text: withSteps('- expect: { reply: { matches: "/да/g" } }'),
      problem: {
        message:
          'flag "g" is not allowed (it keeps state from one reply to the next): use some of d, i, m, s, u, v',
      },
    },
    {
      what: "a flag given twice, in a capture",
      text: withSteps('- expect: { reply: {}, capture: { order: "/(\\\\d+)/ii" } }'),
      problem: {
        path: "buyers[0].steps[0].expect.capture.order",
        message: 'flag "i" is given twice: give each flag once',
      },
    },
    {
      what: "a capture that does not compile",
      text: withSteps('- expect: { reply: {}, capture: { order: "/(a/i" } }'),
      problem: { message: '"order" is not a regular expression: unterminated group' },
    },
    {
      what: "a misspelt operation",
      text: withSteps("- fault: { operation: postSendMesage, status: 503 }"),
      problem: {
        path: "buyers[0].steps[0].fault.operation",
        message: expect.stringMatching(
          /^"postSendMesage" is not an operation \(did you mean "postSendMessage"\?\): /,
        ),
      },
    },
    {
      what: "a status the sandbox does not answer an API call with",
      text: withSteps("- fault: { preset: api_down, status: 404 }"),
      problem: {
        path: "buyers[0].steps[0].fault.status",
        message:
          "a fault answers an API call with 402, 403, 429, 500, 502 or 503 (production's bad days), not 404",
      },
    },
    {
      what: "a webhook status that is no failure",
      text: withSteps("- fault: { operation: webhook, status: 302 }"),
      problem: {
        message: expect.stringMatching(/^a webhook fault's status .*400 to 599, not 302$/),
      },
    },
    {
      what: "retry_after when a drop has replaced the preset's 429",
      text: withSteps("- fault: { preset: rate_limit_storm, drop: after, retry_after: 2 }"),
      problem: {
        path: "buyers[0].steps[0].fault.retry_after",
        message: '"retry_after" goes with status 429 only',
      },
    },
  ];

  test.each(cases)("$what", ({ text, problem }) => {
    // One problem: the parts given are what it must say.
    expect(problems(text)).toEqual([expect.objectContaining({ file: "bad.yaml", ...problem })]);
  });

  test("an item taken from the fixture takes nothing else from the scenario", () => {
    const found = problems(`name: a
world:
  fixture: ./shop.json
  seller: 7
  items:
    lamp: { item_id: 4, title: Лампа, status: removed }
buyers: [{ name: A, steps: [{ say: hi }] }]
`);
    expect(found.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      '6:25 world.items.lamp.title: "title" does not go with "item_id": an item of the fixture keeps its own title',
      '6:39 world.items.lamp.status: "status" does not go with "item_id": an item of the fixture keeps its own status',
    ]);
  });

  test("what the walk could not explain is still said once, without each branch's noise", () => {
    // The walk explains every file it meets; behind it stand ajv's own errors, shown here for a
    // misspelt step (ajv reports it once per kind of step) and an infinite wait.
    const validate = new Ajv(SCENARIO_AJV_OPTIONS).compile(schema);
    const data = { name: "a", buyers: [{ name: "A", steps: [{ sya: "hi" }] }] };
    expect(validate(data)).toBe(false);
    expect(validate.errors?.length).toBeGreaterThan(9);
    expect(fallbackProblems(validate.errors ?? [])).toEqual([
      {
        path: ["buyers", 0, "steps", 0],
        message: "steps[0] is not valid: it fits none of its forms",
      },
    ]);
    const within = {
      ...data,
      buyers: [{ name: "A", steps: [{ wait: Number.POSITIVE_INFINITY }] }],
    };
    expect(validate(within)).toBe(false);
    expect(fallbackProblems(validate.errors ?? [])).toEqual([
      {
        path: ["buyers", 0, "steps", 0],
        message: "steps[0] is not valid: it fits none of its forms",
      },
    ]);
  });
});

describe("what the schema says of keys together, the parser says in its words", () => {
  const validate = new Ajv(SCENARIO_AJV_OPTIONS).compile(schema);
  const fileOf = (world: string, fault: string) =>
    `name: a\n${world}buyers: [{ name: A, steps: [{ fault: ${fault} }] }]\n`;
  const cases: { what: string; world?: string; fault?: string; message: string | null }[] = [
    {
      what: "a fixture needs a seller",
      world: "world: { fixture: ./x.json }\n",
      message: '"seller" is missing',
    },
    {
      what: "a seller needs a fixture",
      world: "world: { seller: 5 }\n",
      message: '"seller" goes with "fixture" only',
    },
    {
      what: "an item needs a title",
      world: "world: { items: { sofa: { price: '1 ₽' } } }\n",
      message: '"title" is missing',
    },
    {
      what: "an item_id needs a fixture",
      world: "world: { items: { sofa: { item_id: 3 } } }\n",
      message: '"item_id" goes with a fixture only',
    },
    {
      what: "an item_id takes no title",
      world: "world: { fixture: ./x.json, seller: 5, items: { sofa: { item_id: 3, title: S } } }\n",
      message: '"title" does not go with "item_id"',
    },
    {
      what: "a fault needs a preset or an operation",
      fault: "{ status: 503 }",
      message: '"operation" is missing',
    },
    {
      what: "a rule needs what it does",
      fault: "{ operation: postSendMessage, times: 2 }",
      message: "a fault rule needs what it does",
    },
    {
      what: "a rule drops or answers a status",
      fault: "{ operation: postSendMessage, status: 503, drop: before }",
      message: "a fault either drops the connection or answers a status, not both",
    },
    {
      what: "retry_after goes with 429",
      fault: "{ operation: postSendMessage, status: 503, retry_after: 1 }",
      message: '"retry_after" goes with status 429 only',
    },
    {
      what: "token_expired takes nothing more",
      fault: "{ preset: token_expired, times: 1 }",
      message:
        'token_expired makes no rule (the seller\'s tokens expire at once): it takes no "times"',
    },
    { what: "a preset and a drop", fault: "{ preset: api_down, drop: before }", message: null },
    {
      what: "a preset of 429 with its Retry-After",
      fault: "{ preset: rate_limit_storm, retry_after: 5 }",
      message: null,
    },
    { what: "token_expired alone", fault: "{ preset: token_expired }", message: null },
    {
      what: "an item of the fixture",
      world: "world: { fixture: ./x.json, seller: 5, items: { sofa: { item_id: 3 } } }\n",
      message: null,
    },
  ];

  test.each(cases)("$what", ({ world = "", fault = "api_down", message }) => {
    const text = fileOf(world, fault);
    const result = parseScenario(text, "x.yaml");
    // Editors (the schema) and the parser agree on the file…
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(message === null);
    expect(result.ok).toBe(message === null);
    // …and the parser says why once, in its own words.
    if (!result.ok) {
      expect(result.problems.map((p) => p.message)).toEqual([
        expect.stringContaining(message ?? ""),
      ]);
    }
  });
});

describe("the JSON Schema", () => {
  test("compiles in ajv's strict mode, with a description on every property", () => {
    expect(() => new Ajv(SCENARIO_AJV_OPTIONS).compile(schema)).not.toThrow();
    const undescribed: string[] = [];
    // Keys tied together (dependencies, anyOf, not, if/then) name properties declared, and
    // described, beside them.
    const constraints = ["dependencies", "allOf", "anyOf", "not", "if", "then"];
    const walk = (node: unknown, at: string) => {
      if (typeof node !== "object" || node === null) return;
      const properties = (node as { properties?: Record<string, Record<string, unknown>> })
        .properties;
      for (const [key, property] of Object.entries(properties ?? {})) {
        if (!property.description && !property.$ref) undescribed.push(`${at}.${key}`);
      }
      for (const [key, child] of Object.entries(node)) {
        if (!constraints.includes(key)) walk(child, `${at}.${key}`);
      }
    };
    walk(schema, "#");
    expect(undescribed).toEqual([]);
  });

  test("has one duration, which every duration refers to, and which agrees with the parser", () => {
    const text = readFileSync(SCHEMA_FILE, "utf8");
    const definitions = schema.definitions as Record<string, { oneOf: { pattern?: string }[] }>;
    const pattern = definitions.duration?.oneOf[0]?.pattern ?? "";
    expect(text.split(JSON.stringify(pattern)).length - 1).toBe(1);
    expect(text.match(/"\$ref": "#\/definitions\/duration"/g)).toHaveLength(10);
    const durationText = new RegExp(pattern, "u");
    for (const value of [
      "500ms",
      "5s",
      "1.5s",
      "2m",
      "1h30m",
      "1d",
      "",
      "5",
      "5 s",
      "1h 30m",
      "-1s",
    ]) {
      expect(durationText.test(value), value).toBe(parseDurationMs(value) !== null);
    }
  });

  test("its descriptions say what the engine does", () => {
    const text = readFileSync(SCHEMA_FILE, "utf8");
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    // Runs are numbered from 1 ("Анна #1"); {{run}} is that number.
    expect(properties.repeat?.description).toContain('"Анна #1"');
    expect(text).toContain("run (the run's number, from 1)");
    // All of one repetition's buyers write at once, unless concurrency says otherwise.
    expect(properties.concurrency?.description).toContain("Default: the number of buyers");
    expect(properties.concurrency).not.toHaveProperty("default");
    // replies counts what no earlier expect matched; webhooks_failing's answer comes late.
    expect(text).toContain("those an earlier `expect` matched are not counted again");
    expect(text).toContain("Beseda retries each 1 s, 5 s, 30 s later");
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
