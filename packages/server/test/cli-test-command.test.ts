// `beseda test`, run as a user runs it (`node src/cli.ts test …` in a child process) on scenario
// files in a temp dir, with a tiny real bot (fixtures/scenario-bot.ts) that the runner starts: what
// it prints, its exit codes, its JUnit and JSON reports, and that it leaves nothing behind.
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { junitXml } from "../src/cli/test-run/junit-report.ts";
import type { ScenarioReport } from "../src/scenarios/report.ts";
import { TestApi } from "./helpers/api.ts";
import { startTestServer } from "./helpers/test-server.ts";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const BOT = fileURLToPath(new URL("./fixtures/scenario-bot.ts", import.meta.url));
const BOT_COMMAND = `"${process.execPath}" "${BOT}"`;
/** A run starts a Beseda and a bot: seconds on a busy machine. */
const RUN_TIMEOUT = 60_000;

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "beseda-cli-test-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `text` to `path` under a fresh project folder; returns the folder. */
function project(files: Record<string, string>): string {
  const folder = mkdtempSync(join(root, "project-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  return folder;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The runner's TMPDIR: its temp dirs go there, and must be gone at its end. */
  runnerTmp: string;
  botPidFile: string;
}

/** `beseda test ARGS…` in `cwd`, to its end; SIGINT 3 s after it prints `interruptOn`. */
async function besedaTest(
  cwd: string,
  args: string[],
  options: { env?: Record<string, string>; interruptOn?: RegExp } = {},
): Promise<Run> {
  const runnerTmp = mkdtempSync(join(root, "tmp-"));
  const botPidFile = join(cwd, `bot-${Math.random().toString(36).slice(2)}.pid`);
  const child = spawn(process.execPath, [CLI, "test", ...args], {
    cwd,
    env: {
      ...process.env,
      TMPDIR: runnerTmp,
      // Node's compile cache stays where it always is (it would go to TMPDIR): fast starts.
      NODE_COMPILE_CACHE: join(tmpdir(), "node-compile-cache"),
      BOT_PID_FILE: botPidFile,
      BESEDA_URL: "",
      NO_COLOR: "1",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (options.interruptOn?.test(stdout)) {
      options.interruptOn = undefined;
      // Once the first scenario is under way (its bot started, its buyer waiting).
      setTimeout(() => child.kill("SIGINT"), 3000);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, stdout, stderr, runnerTmp, botPidFile };
}

/** Whether `pid` is a live process (a zombie waiting to be reaped by init is not). */
function alive(pid: number): boolean {
  const state = spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).stdout;
  return state.trim() !== "" && !state.trim().startsWith("Z");
}

/** Nothing of the run is left: its temp dir, its Beseda, its bot. */
function expectNothingLeft(run: Run): void {
  expect(readdirSync(run.runnerTmp).filter((name) => name.startsWith("beseda-"))).toEqual([]);
  // The Beseda it started has its data dir (under the runner's TMPDIR) in its arguments.
  const processes = spawnSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" }).stdout;
  expect(
    processes
      .split("\n")
      .filter((line) => line.includes(run.runnerTmp) && !/^\s*\d+\s+Z/.test(line)),
  ).toEqual([]);
  if (existsSync(run.botPidFile)) {
    const pid = Number(readFileSync(run.botPidFile, "utf8"));
    expect(alive(pid), `bot ${pid}`).toBe(false);
  }
}

const HAPPY = `name: Эхо отвечает
tags: [smoke]
buyers:
  - name: Анна
    steps:
      - say: Здравствуйте!
      - expect:
          reply: { text: "Эхо: Здравствуйте!" }
          within: 5s
      - say: Как дела?
      - expect: { reply: { contains: "Как дела" }, within: 5s }
`;

const ABOUT_ITEM = `name: Вопрос о диване
world:
  items:
    sofa:
      title: Диван угловой
      price: "15 000 ₽"
buyers:
  - name: Борис
    item: sofa
    steps:
      - say: Диван ещё продаётся?
      - expect:
          reply: { matches: "^Эхо: (?<question>.+)$" }
          within: 5s
      - say: "Повторю: {{question}}"
      - expect: { replies: 1, within: 5s }
`;

const FAILING = `name: Бот знает про доставку
tags: [delivery]
buyers:
  - name: Вера
    steps:
      - say: Сколько стоит доставка?
      - expect:
          reply: { contains: "500 ₽" }
          within: 2s
      - say: Спасибо
`;

describe("scenarios against a bot the runner starts on a Beseda of its own", () => {
  test(
    "all pass: the steps with reply times, the summary, exit 0; nothing is left behind",
    async () => {
      const cwd = project({ "scenarios/happy.yaml": HAPPY, "scenarios/more/item.yml": ABOUT_ITEM });
      const run = await besedaTest(cwd, ["--bot", BOT_COMMAND]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const lines = run.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(
        /^beseda test: 2 scenarios, Beseda \S+ at http:\/\/127\.0\.0\.1:\d+ \(started for this run\), bot: /,
      );
      expect(run.stdout).toMatch(/✓ scenarios\/happy\.yaml {2}Эхо отвечает \(\d/);
      expect(run.stdout).toMatch(/✓ scenarios\/more\/item\.yml {2}Вопрос о диване/);
      expect(run.stdout).toMatch(/✓ Анна {2}say .*\d+ ms/);
      expect(run.stdout).toMatch(/✓ Анна {2}expect .*reply in \d+ ms/);
      expect(lines.at(-1)).toBe("2 passed, 0 failed");
      expectNothingLeft(run);
    },
    RUN_TIMEOUT,
  );

  test(
    "a failing scenario: expected, actual and the conversation; JUnit with one failure; JSON on stdout",
    async () => {
      const cwd = project({ "mixed/a-pass.yaml": HAPPY, "mixed/b-fail.yaml": FAILING });
      const run = await besedaTest(cwd, [
        "mixed",
        "--bot",
        BOT_COMMAND,
        "--junit",
        "reports/junit.xml",
        "--json",
        "-",
      ]);
      expect(run.code, run.stderr).toBe(1);

      // The people's output went to stderr: stdout is the JSON alone.
      const human = run.stderr;
      expect(human).toMatch(/✗ mixed\/b-fail\.yaml {2}Бот знает про доставку/);
      expect(human).toMatch(/✗ Вера {2}expect .* at mixed\/b-fail\.yaml:7:9/);
      expect(human).toMatch(/expected: .*500 ₽/);
      expect(human).toMatch(/actual: {3}.*Эхо: Сколько стоит доставка\?/);
      expect(human).toMatch(
        /conversation:\n\s+buyer\s+\d\d:\d\d:\d\d {2}Сколько стоит доставка\?\n\s+seller\s+\d\d:\d\d:\d\d {2}Эхо: Сколько стоит доставка\?/,
      );
      expect(human).toMatch(/- Вера {2}say .*\(skipped\)/);
      expect(human).toMatch(
        /bot output \(last 30 lines\):\n(.*\n)*.*heard \d+: Сколько стоит доставка\?/,
      );
      expect(human.trimEnd().split("\n").at(-1)).toBe("1 passed, 1 failed");

      const reports = JSON.parse(run.stdout) as ScenarioReport[];
      expect(reports.map((r) => [r.file, r.outcome])).toEqual([
        ["mixed/a-pass.yaml", "passed"],
        ["mixed/b-fail.yaml", "failed"],
      ]);
      const failedStep = reports[1]?.buyers[0]?.steps.find((s) => s.outcome === "failed");
      expect(failedStep?.failure?.actual).toContain("Эхо: Сколько стоит доставка?");

      const xml = readFileSync(join(cwd, "reports/junit.xml"), "utf8");
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml.match(/<failure /g)).toHaveLength(1);
      expect(xml).toMatch(/<testsuite name="mixed\/a-pass.yaml" tests="1" failures="0"/);
      expect(xml).toMatch(/<testsuite name="mixed\/b-fail.yaml" tests="1" failures="1"/);
      expect(xml).toContain("Эхо: Сколько стоит доставка?");
      expectNothingLeft(run);
    },
    RUN_TIMEOUT,
  );

  test(
    "--filter runs the matching ones; --bail skips the rest after a failure",
    async () => {
      const cwd = project({
        "scenarios/a.yaml": FAILING,
        "scenarios/b.yaml": HAPPY,
        "scenarios/c.yaml": ABOUT_ITEM,
      });
      const [filtered, bailed] = await Promise.all([
        besedaTest(cwd, ["--bot", BOT_COMMAND, "--filter", "SMOKE"]),
        besedaTest(cwd, ["--bot", BOT_COMMAND, "--bail", "--timeout", "2s"]),
      ]);
      expect(filtered.code, filtered.stdout + filtered.stderr).toBe(0);
      expect(filtered.stdout).toContain("1 scenario (2 more not matching --filter)");
      expect(filtered.stdout).toContain("✓ scenarios/b.yaml");
      expect(filtered.stdout).not.toContain("scenarios/a.yaml");
      expect(filtered.stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 0 failed");

      expect(bailed.code).toBe(1);
      expect(bailed.stdout).toContain("✗ scenarios/a.yaml");
      expect(bailed.stdout).toMatch(/- scenarios\/b\.yaml {2}Эхо отвечает {2}\(skipped\)/);
      expect(bailed.stdout.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed, 2 skipped");

      const regex = await besedaTest(cwd, ["--bot", BOT_COMMAND, "--filter", "/^нет такого/"]);
      expect(regex.code).toBe(2);
      expect(regex.stderr).toContain("no scenario matches --filter /^нет такого/ (of 3)");
      expectNothingLeft(filtered);
      expectNothingLeft(bailed);
    },
    RUN_TIMEOUT,
  );

  test(
    "a bot that exits at once fails the run with its output; the rest is skipped",
    async () => {
      const cwd = project({ "scenarios/a.yaml": HAPPY, "scenarios/b.yaml": ABOUT_ITEM });
      const dying = `"${process.execPath}" -e "console.log('no AVITO_TOKEN here'); process.exit(3)"`;
      const run = await besedaTest(cwd, ["--bot", dying]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/✗ scenarios\/a\.yaml/);
      expect(run.stdout).toMatch(/exited \(code 3\) before it subscribed a webhook/);
      expect(run.stdout).toContain("no AVITO_TOKEN here");
      expect(run.stdout).toMatch(/- scenarios\/b\.yaml .*\(skipped\)/);
      expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed, 1 skipped");
      expectNothingLeft(run);
    },
    RUN_TIMEOUT,
  );

  test(
    "Ctrl-C: the run stops, the reports are written, nothing is left behind",
    async () => {
      const waiting = `name: Долгое ожидание
buyers:
  - name: Галя
    steps:
      - say: Жду
      - wait: 20s
`;
      const cwd = project({ "scenarios/a.yaml": waiting, "scenarios/b.yaml": HAPPY });
      const started = performance.now();
      const run = await besedaTest(cwd, ["--bot", BOT_COMMAND, "--json", "out.json"], {
        interruptOn: /^beseda test: /m,
      });
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(run.code).toBe(130);
      const reports = JSON.parse(readFileSync(join(cwd, "out.json"), "utf8")) as ScenarioReport[];
      expect(reports.map((r) => r.outcome)).toEqual(["failed", "skipped"]);
      expectNothingLeft(run);
    },
    RUN_TIMEOUT,
  );
});

describe("a fixture's seller", () => {
  test(
    "the bot is restarted as the fixture's seller, then as a new account of the runner's",
    async () => {
      // A world made elsewhere and exported: the shop's account, with its app's credentials.
      const elsewhere = await startTestServer();
      const api = new TestApi(elsewhere.url, elsewhere.adminToken);
      const shop = await api.createAccount("Магазин из фикстуры");
      const fixture = await api.request("GET", "/sandbox/v1/export", {
        token: elsewhere.adminToken,
      });
      await elsewhere.stop();
      const inFixture = `name: Магазин из фикстуры отвечает
world:
  fixture: ../shop.json
  seller: ${shop.user_id}
buyers:
  - name: Дина
    steps:
      - say: Добрый день
      - expect: { reply: { text: "Эхо: Добрый день" }, within: 5s }
`;
      const cwd = project({
        "shop.json": fixture.text,
        "scenarios/1-fixture.yaml": inFixture,
        "scenarios/2-plain.yaml": HAPPY,
      });
      const run = await besedaTest(cwd, ["--bot", BOT_COMMAND, "--json", "-"]);
      expect(run.code, run.stderr).toBe(0);
      const reports = JSON.parse(run.stdout) as ScenarioReport[];
      expect(reports.map((r) => r.outcome)).toEqual(["passed", "passed"]);
      expect(reports[0]?.seller_id).toBe(shop.user_id);
      expect(reports[1]?.seller_id).not.toBe(shop.user_id);
      expectNothingLeft(run);
    },
    RUN_TIMEOUT,
  );
});

describe("files the runner refuses", () => {
  test("a malformed file: FILE:LINE:COLUMN for it, exit 2, nothing runs", async () => {
    const cwd = project({
      "scenarios/good.yaml": HAPPY,
      "scenarios/bad.yaml":
        "name: Опечатка\nbuyers:\n  - name: Анна\n    steps:\n      - sya: Привет\n",
    });
    const run = await besedaTest(cwd, ["--bot", BOT_COMMAND]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^scenarios\/bad\.yaml:5:\d+: .*sya/m);
    expect(run.stderr).toContain("nothing ran");
    expect(run.stdout).toBe("");
    expect(existsSync(run.botPidFile)).toBe(false);
  });

  test("no scenario files, and a wrong use: exit 2 with the reason", async () => {
    const cwd = project({ "notes.txt": "" });
    const none = await besedaTest(cwd, ["--bot", BOT_COMMAND]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no such file or folder: scenarios");
    const noBot = await besedaTest(cwd, []);
    expect(noBot.code).toBe(2);
    expect(noBot.stderr).toContain('give --bot "CMD"');
    const badTimeout = await besedaTest(cwd, ["--bot", "x", "--timeout", "soon"]);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain("--timeout must be a duration");
  });
});

describe("the JUnit report", () => {
  test("text a bot wrote (markup, quotes, control characters, lone surrogates) stays valid XML", () => {
    const nasty = 'ответ <b>"&amp;"</b> \u0001\u0008\u001b[31m \ud800 конец\n\tвторая строка';
    const step = {
      index: 0,
      title: `expect reply text "${nasty}"`,
      kind: "expect",
      position: { line: 3, column: 9 },
      outcome: "failed" as const,
      duration_ms: 12,
      reply_ms: null,
      failure: { message: nasty, expected: nasty, actual: nasty },
    };
    const report: ScenarioReport = {
      name: `Сценарий ${nasty}`,
      file: "a&b.yaml",
      position: { line: 1, column: 1 },
      outcome: "failed",
      error: null,
      started_at: "2026-01-02T03:04:05.678Z",
      duration_ms: 1234,
      seller_id: 1,
      buyers: [
        {
          buyer: `Анна ${nasty}`,
          run: 0,
          buyer_id: 2,
          chat_id: "u2u-x",
          outcome: "failed",
          duration_ms: 100,
          steps: [step],
          conversation: [
            {
              message_id: "m",
              side: "seller",
              author_id: 1,
              type: "text",
              text: nasty,
              created: 0,
            },
          ],
          variables: {},
        },
      ],
      reply_times: null,
    };
    const xml = junitXml([report, { ...report, outcome: "skipped", buyers: [] }]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain("&lt;b&gt;&quot;&amp;amp;&quot;&lt;/b&gt;");
    for (const control of ["\u0001", "\u0008", "\u001b"]) expect(xml).not.toContain(control);
    expect(xml).toMatch(
      /<testsuites name="beseda test" tests="2" failures="1" errors="0" skipped="1"/,
    );
  });
});

describe("against a Beseda the user runs (--url)", () => {
  test(
    "with --account: the scenarios talk to that account's bot, already running",
    async () => {
      const server = await startTestServer();
      const api = new TestApi(server.url, server.adminToken);
      const seller = await api.createAccount("Магазин");
      const botPidFile = join(root, "own-bot.pid");
      const bot = spawn(process.execPath, [BOT], {
        env: {
          ...process.env,
          AVITO_BASE_URL: server.url,
          AVITO_CLIENT_ID: seller.client_id,
          AVITO_CLIENT_SECRET: seller.client_secret,
          AVITO_USER_ID: String(seller.user_id),
          BOT_PID_FILE: botPidFile,
        },
        stdio: "ignore",
      });
      try {
        for (let tries = 0; ; tries++) {
          const { body } = await api.request<{
            accounts: { user_id: number; subscription: unknown }[];
          }>("GET", "/sandbox/v1/accounts", { token: server.adminToken });
          if (body.accounts.find((a) => a.user_id === seller.user_id)?.subscription) break;
          if (tries > 100) throw new Error("the bot did not subscribe");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const cwd = project({ "scenarios/happy.yaml": HAPPY });
        const run = await besedaTest(cwd, [
          "--url",
          server.url,
          "--admin-token",
          server.adminToken,
          "--account",
          String(seller.user_id),
        ]);
        expect(run.code, run.stdout + run.stderr).toBe(0);
        expect(run.stdout).toContain(
          `beseda test: 1 scenario, Beseda at ${server.url}, bot account ${seller.user_id}`,
        );
        expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 0 failed");
        expect(readdirSync(run.runnerTmp)).toEqual([]);
      } finally {
        bot.kill("SIGTERM");
        await server.stop();
      }
    },
    RUN_TIMEOUT,
  );
});
