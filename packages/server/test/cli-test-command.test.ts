// `beseda test`, run as a user runs it (`node src/cli.js test …` in a child process) on scenario
// files in a temp dir, with a tiny real bot (fixtures/scenario-bot.ts) that the runner starts: what
// it prints, its exit codes, its JUnit and JSON reports, and that it leaves nothing behind.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SandboxClient } from "../src/cli/sandbox-client.ts";
import { asInterrupted } from "../src/cli/test-run/interrupted-report.ts";
import { junitXml } from "../src/cli/test-run/junit-report.ts";
import { MAX_LINE_CHARS, OutputLog } from "../src/cli/test-run/output-log.ts";
import { describeExit, spawnGroup } from "../src/cli/test-run/process-group.ts";
import { findScenarioFiles } from "../src/cli/test-run/scenario-files.ts";
import { TextReporter } from "../src/cli/test-run/text-reporter.ts";
import { parseScenario } from "../src/scenarios/parse-scenario.ts";
import type { BuyerRunReport, ScenarioReport } from "../src/scenarios/report.ts";
import { TestApi } from "./helpers/api.ts";
import { startReceiver } from "./helpers/receiver.ts";
import { startTestServer } from "./helpers/test-server.ts";

const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
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
  /** The signal that ended the runner, when one did (SIGKILL). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The runner's TMPDIR: its temp dirs go there, and must be gone at its end. */
  runnerTmp: string;
  botPidFile: string;
}

interface RunOptions {
  env?: Record<string, string>;
  /** Once stdout matches `on` (and, with `botStarted`, a bot has started), `signal` is sent
   * `afterMs` later (to the runner's group with `group`: the runner is then started in a
   * process group of its own, as a CI job is). */
  kill?: {
    on: RegExp;
    signal: NodeJS.Signals;
    afterMs: number;
    group?: boolean;
    botStarted?: boolean;
  };
  /** Once stdout matches this, the reader of stdout goes away (`beseda test | head`). */
  closeStdoutOn?: RegExp;
  /** Called once the runner is started, with its TMPDIR, while it runs. */
  meanwhile?: (runnerTmp: string) => Promise<void>;
}

/** `beseda test ARGS…` in `cwd`, to its end. */
async function besedaTest(cwd: string, args: string[], options: RunOptions = {}): Promise<Run> {
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
    detached: options.kill?.group === true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let kill = options.kill;
  let closeOn = options.closeStdoutOn;
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (kill?.on.test(stdout)) {
      const { signal, afterMs, group, botStarted } = kill;
      kill = undefined;
      const send = () => {
        if (group && child.pid !== undefined) process.kill(-child.pid, signal);
        else child.kill(signal);
      };
      const poll = setInterval(() => {
        if (botStarted && !existsSync(botPidFile) && child.exitCode === null) return;
        clearInterval(poll);
        setTimeout(send, afterMs);
      }, 50);
    }
    if (closeOn?.test(stdout)) {
      closeOn = undefined;
      child.stdout.destroy();
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await options.meanwhile?.(runnerTmp);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("exit", (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  return { code, signal, stdout, stderr, runnerTmp, botPidFile };
}

/** Whether `pid` is a live process (a zombie waiting to be reaped by init is not). */
function alive(pid: number): boolean {
  const state = spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).stdout;
  return state.trim() !== "" && !state.trim().startsWith("Z");
}

/** The pids of every bot the run started. */
function botPids(run: Run): number[] {
  if (!existsSync(run.botPidFile)) return [];
  return readFileSync(run.botPidFile, "utf8").trim().split("\n").filter(Boolean).map(Number);
}

/** The pids of every bot a run in `cwd` started so far (while it runs). */
function botPidsIn(cwd: string): number[] {
  return readdirSync(cwd)
    .filter((name) => name.startsWith("bot-") && name.endsWith(".pid"))
    .flatMap((name) => readFileSync(join(cwd, name), "utf8").trim().split("\n"))
    .filter(Boolean)
    .map(Number);
}

/** What is left of the run: its temp dirs, processes naming them (its Beseda), live bots. */
function leftOf(run: Run): { tempDirs: string[]; processes: string[]; bots: number[] } {
  const tempDirs = readdirSync(run.runnerTmp).filter((name) => name.startsWith("beseda-"));
  // The Beseda it started has its data dir (under the runner's TMPDIR) in its arguments.
  const listing = spawnSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" }).stdout;
  const processes = listing
    .split("\n")
    .filter((line) => line.includes(run.runnerTmp) && !/^\s*\d+\s+Z/.test(line));
  return { tempDirs, processes, bots: botPids(run).filter(alive) };
}

/** Nothing of the run is left: its temp dir, its Beseda, its bots. */
function expectNothingLeft(run: Run): void {
  expect(leftOf(run)).toEqual({ tempDirs: [], processes: [], bots: [] });
}

/** Nothing of the run is left within `ms`: what its supervisors clean up after a killed runner. */
async function expectNothingLeftWithin(run: Run, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const left = leftOf(run);
    if (left.tempDirs.length + left.processes.length + left.bots.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expectNothingLeft(run);
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

const WAITING = `name: Долгое ожидание
buyers:
  - name: Галя
    steps:
      - say: Жду
      - wait: 20s
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
        /bot output \(this scenario, last 30 lines\):\n(.*\n)*.*heard \d+: Сколько стоит доставка\?/,
      );
      // Only what the bot printed while this scenario ran: not the passing one's lines.
      expect(human).not.toMatch(/bot output[\s\S]*heard \d+: Здравствуйте!/);
      expect(human).toContain("(whole log: not kept; give --bot-log FILE)");
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
    "a bot that exits at once, or never subscribes: the run fails with its output, and the rest could not run",
    async () => {
      const cwd = project({ "scenarios/a.yaml": HAPPY, "scenarios/b.yaml": ABOUT_ITEM });
      const dying = `"${process.execPath}" -e "console.log('no AVITO_TOKEN here'); process.exit(3)"`;
      const silent = `"${process.execPath}" -e "console.log('listening, not subscribing'); setInterval(() => {}, 1000)"`;
      const [exited, neverReady] = await Promise.all([
        besedaTest(cwd, ["--bot", dying, "--bot-log", "logs/bot.log", "--junit", "junit.xml"]),
        besedaTest(cwd, ["--bot", silent, "--bot-ready-timeout", "1s", "--json", "-"]),
      ]);
      expect(exited.code).toBe(1);
      expect(exited.stdout).toMatch(/✗ scenarios\/a\.yaml/);
      expect(exited.stdout).toMatch(/exited \(code 3\) before it subscribed a webhook/);
      expect(exited.stdout).toContain("no AVITO_TOKEN here");
      expect(exited.stdout).toContain("(whole log: logs/bot.log)");
      expect(readFileSync(join(cwd, "logs/bot.log"), "utf8")).toBe("no AVITO_TOKEN here\n");
      // What did not run could not: an error with the reason, in the text and in JUnit.
      expect(exited.stdout).toMatch(
        /✗ scenarios\/b\.yaml {2}Вопрос о диване .*\n\s+error: not run: the bot could not start: the bot .* exited \(code 3\)/,
      );
      expect(exited.stdout.trimEnd().split("\n").at(-1)).toBe("0 passed, 2 failed");
      const xml = readFileSync(join(cwd, "junit.xml"), "utf8");
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).toMatch(/<testsuite name="scenarios\/b.yaml" tests="1" failures="0" errors="1"/);
      expect(xml).toMatch(/<error message="not run: the bot could not start: /);
      expectNothingLeft(exited);

      expect(neverReady.code).toBe(1);
      expect(neverReady.stderr).toMatch(
        /did not subscribe a webhook for account \d+ within 1 s \(--bot-ready-timeout\)/,
      );
      expect(neverReady.stderr).toContain("listening, not subscribing");
      const reports = JSON.parse(neverReady.stdout) as ScenarioReport[];
      expect(reports.map((r) => r.outcome)).toEqual(["failed", "failed"]);
      expect(reports[1]?.error).toMatch(/^not run: the bot could not start: /);
      expectNothingLeft(neverReady);
    },
    RUN_TIMEOUT,
  );

  test(
    "a bot that crashes mid-run: the scenario fails at once with its exit code, the bot is restarted for the next",
    async () => {
      const crashing = `name: Бот падает
buyers:
  - name: Жанна
    steps:
      - say: умри
      - expect: { reply: {}, within: 30s }
`;
      const cwd = project({ "scenarios/a-crash.yaml": crashing, "scenarios/b-happy.yaml": HAPPY });
      const started = performance.now();
      const run = await besedaTest(cwd, ["--bot", BOT_COMMAND, "--junit", "junit.xml"], {
        env: { BOT_EXIT_ON: "умри" },
      });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      // At once: not at the end of the expect's 30 s.
      expect(performance.now() - started).toBeLessThan(25_000);
      expect(run.stdout).toMatch(
        /✗ Жанна {2}expect .* at scenarios\/a-crash\.yaml:6:9\n\s+the bot exited \(code 7\) while the scenario ran; it will be started again if another scenario runs\n\s+conversation:/,
      );
      // Said once: not again as what came instead (`actual:`), nor as a note.
      expect(run.stdout.match(/the bot exited \(code 7\)/g)).toHaveLength(1);
      expect(run.stdout).not.toContain("actual:");
      expect(run.stdout).toMatch(
        /bot output \(this scenario, last 30 lines\):\n(.*\n)*\s+crashing on purpose/,
      );
      expect(run.stdout).toMatch(/✓ scenarios\/b-happy\.yaml/);
      expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 1 failed");
      expect(botPids(run)).toHaveLength(2);
      // The suite's output is the bot's while that scenario ran.
      const xml = readFileSync(join(cwd, "junit.xml"), "utf8");
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).toMatch(/<system-out>[^<]*crashing on purpose[^<]*<\/system-out>/);
      expectNothingLeft(run);
    },
    RUN_TIMEOUT,
  );

  test(
    "Ctrl-C: the run stops, the reports are written, nothing is left behind",
    async () => {
      const cwd = project({ "scenarios/a.yaml": WAITING, "scenarios/b.yaml": HAPPY });
      const started = performance.now();
      const run = await besedaTest(
        cwd,
        ["--bot", BOT_COMMAND, "--json", "out.json", "--junit", "junit.xml"],
        {
          // Once the first scenario is under way (its bot started, its buyer waiting).
          kill: { on: /^beseda test: /m, signal: "SIGINT", afterMs: 3000, botStarted: true },
        },
      );
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(run.code).toBe(130);
      // What Ctrl-C cut short did not fail: it is skipped, and says why.
      const reports = JSON.parse(readFileSync(join(cwd, "out.json"), "utf8")) as ScenarioReport[];
      expect(reports.map((r) => [r.outcome, r.error])).toEqual([
        ["skipped", "interrupted (SIGINT)"],
        ["skipped", null],
      ]);
      const waiting = reports[0]?.buyers[0];
      expect(waiting?.outcome).toBe("skipped");
      expect(waiting?.steps.map((step) => [step.outcome, step.failure?.message ?? null])).toEqual([
        ["passed", null],
        ["skipped", "interrupted (SIGINT)"],
      ]);
      expect(run.stdout).toMatch(
        /- scenarios\/a\.yaml {2}Долгое ожидание {2}\(skipped: interrupted \(SIGINT\)\)/,
      );
      expect(run.stdout).not.toContain("✗");
      expect(run.stdout.trimEnd().split("\n").at(-1)).toBe(
        "0 passed, 0 failed, 1 interrupted, 1 skipped",
      );
      const xml = readFileSync(join(cwd, "junit.xml"), "utf8");
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).toMatch(
        /<testsuite name="scenarios\/a.yaml" tests="1" failures="0" errors="0" skipped="1"[\s\S]*<skipped message="interrupted \(SIGINT\)"\/>/,
      );
      expectNothingLeft(run);
    },
    RUN_TIMEOUT,
  );
});

describe("a runner stopped from outside leaves nothing behind", () => {
  test(
    "SIGTERM (exit 143, reports written), SIGHUP (129), SIGKILL of its whole process group (its supervisors clean up)",
    async () => {
      const cwd = project({ "scenarios/a.yaml": WAITING, "scenarios/b.yaml": HAPPY });
      const underWay = /^beseda test: /m;
      const [terminated, hungUp, killed] = await Promise.all([
        besedaTest(cwd, ["--bot", BOT_COMMAND, "--junit", "junit.xml"], {
          kill: { on: underWay, signal: "SIGTERM", afterMs: 2000 },
        }),
        besedaTest(cwd, ["--bot", BOT_COMMAND], {
          kill: { on: underWay, signal: "SIGHUP", afterMs: 2000 },
        }),
        besedaTest(cwd, ["--bot", BOT_COMMAND], {
          kill: { on: underWay, signal: "SIGKILL", afterMs: 500, group: true, botStarted: true },
        }),
      ]);
      expect(terminated.code, terminated.stdout + terminated.stderr).toBe(143);
      expect(terminated.stdout).toContain("interrupted (SIGTERM): stopping");
      // Stopped while the first ran (or was starting): the second skipped; the reports written.
      const xml = readFileSync(join(cwd, "junit.xml"), "utf8");
      expect(xml).toMatch(
        /<testsuite name="scenarios\/b.yaml" tests="1" failures="0" errors="0" skipped="1"/,
      );
      // The first one, cut short, is not a failure either.
      expect(xml).toMatch(/failures="0" errors="0" skipped="2"/);
      expectNothingLeft(terminated);
      expect(hungUp.code, hungUp.stdout + hungUp.stderr).toBe(129);
      expectNothingLeft(hungUp);
      expect(killed.signal).toBe("SIGKILL");
      // The Beseda and the bot were started before the kill: there was something to clean up.
      expect(botPids(killed)).toHaveLength(1);
      await expectNothingLeftWithin(killed, 15_000);
    },
    RUN_TIMEOUT,
  );

  test(
    "its output's reader goes away (`| head`): the run stops, exit 141, nothing left",
    async () => {
      const cwd = project({ "scenarios/a.yaml": HAPPY, "scenarios/b.yaml": WAITING });
      const lateCwd = project({ "scenarios/a.yaml": HAPPY });
      const started = performance.now();
      const [run, late] = await Promise.all([
        besedaTest(cwd, ["--bot", BOT_COMMAND, "--json", "out.json"], {
          closeStdoutOn: /^beseda test: /m,
        }),
        // A reader that leaves after the last scenario's block: only the summary finds it gone.
        besedaTest(lateCwd, ["--bot", BOT_COMMAND, "--json", "out.json"], {
          closeStdoutOn: /✓ scenarios\/a\.yaml/,
        }),
      ]);
      expect(late.code, late.stderr).toBe(141);
      expect(late.stdout).not.toContain("passed,");
      const lateReports = JSON.parse(
        readFileSync(join(lateCwd, "out.json"), "utf8"),
      ) as ScenarioReport[];
      expect(lateReports.map((r) => r.outcome)).toEqual(["passed"]);
      expectNothingLeft(late);
      expect(run.code, run.stderr).toBe(141);
      // The block of the first scenario found no reader: the second (20 s) never ran.
      expect(performance.now() - started).toBeLessThan(15_000);
      const reports = JSON.parse(readFileSync(join(cwd, "out.json"), "utf8")) as ScenarioReport[];
      expect(reports.map((r) => r.outcome)).toEqual(["passed", "skipped"]);
      expectNothingLeft(run);
    },
    RUN_TIMEOUT,
  );
});

describe("what the runner's children do to it", () => {
  test(
    "the Beseda it started dies mid-run: the scenario says so with the server's last lines, the rest could not run",
    async () => {
      const waitThenSay = `name: Ждёт и пишет
buyers:
  - name: Галя
    steps:
      - say: Жду
      - wait: 5s
      - say: Вы здесь?
`;
      const cwd = project({ "scenarios/a.yaml": waitThenSay, "scenarios/b.yaml": HAPPY });
      const run = await besedaTest(cwd, ["--bot", BOT_COMMAND, "--json", "out.json"], {
        meanwhile: async (runnerTmp) => {
          // Once its buyer waits: the Beseda is the process with its data dir in its arguments.
          for (let tries = 0; tries < 600 && botPidsIn(cwd).length === 0; tries++) {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          await new Promise((resolve) => setTimeout(resolve, 1000));
          const listing = spawnSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).stdout;
          const server = listing.split("\n").find((line) => line.includes(`${runnerTmp}/beseda-`));
          process.kill(Number(server?.trim().split(/\s+/)[0]), "SIGKILL");
        },
      });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stdout).toMatch(/note: the Beseda started for this run exited \(SIGKILL\):/);
      expect(run.stdout).not.toContain("npm start");
      const reports = JSON.parse(readFileSync(join(cwd, "out.json"), "utf8")) as ScenarioReport[];
      expect(reports.map((r) => r.outcome)).toEqual(["failed", "failed"]);
      expect(reports[1]?.error).toMatch(
        /^not run: the Beseda started for this run exited \(SIGKILL\)/,
      );
      expectNothingLeft(run);
    },
    RUN_TIMEOUT,
  );

  test(
    "a bot's process that escaped its group and holds the output open does not keep the runner from ending",
    async () => {
      const cwd = project({ "scenarios/a.yaml": HAPPY });
      const escapedPidFile = join(cwd, "escaped.pid");
      // setsid: a session of its own, out of reach of the group's signals; stdout inherited.
      const escaping = `setsid sh -c 'echo $$ > "${escapedPidFile}"; exec sleep 600' & exec ${BOT_COMMAND}`;
      const started = performance.now();
      try {
        const run = await besedaTest(cwd, ["--bot", escaping]);
        expect(run.code, run.stdout + run.stderr).toBe(0);
        expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 0 failed");
        expect(performance.now() - started).toBeLessThan(40_000);
      } finally {
        const escaped = Number(readFileSync(escapedPidFile, "utf8"));
        if (escaped > 0) process.kill(escaped, "SIGKILL");
      }
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

  test("a file a scenario names that is not there, a file that is not UTF-8: FILE:LINE:COLUMN, exit 2", async () => {
    const naming = `name: Фото и фикстура
world:
  fixture: ../worlds/shop.json
  seller: 42
buyers:
  - name: Анна
    steps:
      - say: Вот фото
      - send: { image: photos/sofa.png }
      - send: { voice: sample }
`;
    const cwd = project({
      "scenarios/naming.yaml": naming,
      // U+FFFD written as such is UTF-8 like any other character.
      "scenarios/replacement.yaml": HAPPY.replace("Как дела?", "Как дела\uFFFD"),
    });
    writeFileSync(
      join(cwd, "scenarios/cp1251.yaml"),
      Buffer.concat([
        Buffer.from("name: Цена\nbuyers:\n  - name: "),
        Buffer.from([0xc0, 0xed, 0xed, 0xe0]),
      ]),
    );
    const run = await besedaTest(cwd, ["--bot", BOT_COMMAND]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^scenarios\/cp1251\.yaml:3:11: the file is not UTF-8 text: byte 0xC0 here is not UTF-8/m,
    );
    expect(run.stderr).toMatch(
      /^scenarios\/naming\.yaml:3:12: the fixture \.\.\/worlds\/shop\.json cannot be read: no such file \(\/.*\/worlds\/shop\.json\)$/m,
    );
    expect(run.stderr).toMatch(
      /^scenarios\/naming\.yaml:9:24: the image photos\/sofa\.png cannot be read: no such file \(\/.*\/scenarios\/photos\/sofa\.png\)$/m,
    );
    expect(run.stderr).toContain("3 problems in 2 files: nothing ran");
    expect(run.stdout).toBe("");
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
    const tokenWithoutUrl = await besedaTest(cwd, ["--bot", "x", "--admin-token", "t"]);
    expect(tokenWithoutUrl.code).toBe(2);
    expect(tokenWithoutUrl.stderr).toContain("--admin-token needs --url");
    const help = await besedaTest(cwd, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("BESEDA_URL in the environment does the same");
    expect(help.stdout).toMatch(/130 interrupted .*\n143 stopped by SIGTERM/);
    expect(help.stdout).not.toContain("$PORT");
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
    const xml = junitXml([
      { report, scripts: [{ name: `Анна ${nasty}` }], botOutput: [nasty, "]]> </system-out>"] },
      { report: { ...report, outcome: "skipped", buyers: [] }, scripts: [], botOutput: null },
    ]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain("&lt;b&gt;&quot;&amp;amp;&quot;&lt;/b&gt;");
    for (const control of ["\u0001", "\u0008", "\u001b"]) expect(xml).not.toContain(control);
    expect(xml).toMatch(
      /<testsuites name="beseda test" tests="2" failures="1" errors="0" skipped="1"/,
    );
    expect(xml).toContain("<system-out>ответ &lt;b&gt;");
  });

  test("test cases are unique and stable: two buyers of one name, repeated; classname from the file", () => {
    const buyerRun = (buyer: string, run: number) => ({
      buyer,
      run,
      buyer_id: 1,
      chat_id: "c",
      outcome: "passed" as const,
      duration_ms: 1,
      steps: [],
      conversation: [],
      variables: {},
    });
    const report: ScenarioReport = {
      name: "Два покупателя v1.2",
      file: "scenarios/load.v2.yaml",
      position: { line: 1, column: 1 },
      outcome: "passed",
      error: null,
      started_at: "2026-01-02T03:04:05.678Z",
      duration_ms: 10,
      seller_id: 1,
      // Two scripts named alike, each run twice: the plan's order (run 1 of each, then run 2).
      buyers: [
        buyerRun("Анна #1", 1),
        buyerRun("Анна #1", 1),
        buyerRun("Анна #2", 2),
        buyerRun("Анна #2", 2),
      ],
      reply_times: null,
    };
    const xml = junitXml([
      { report, scripts: [{ name: "Анна" }, { name: "Анна" }], botOutput: [] },
    ]);
    const names = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map(
      (match) => `${match[1]} | ${match[2]}`,
    );
    expect(names).toEqual([
      "scenarios/load_v2 | Два покупателя v1.2 › buyers[0] Анна #1",
      "scenarios/load_v2 | Два покупателя v1.2 › buyers[1] Анна #1",
      "scenarios/load_v2 | Два покупателя v1.2 › buyers[0] Анна #2",
      "scenarios/load_v2 | Два покупателя v1.2 › buyers[1] Анна #2",
    ]);
    expect(xml).not.toContain("<system-out>");

    // Run once, a buyer is named as the text report names it: no "#1".
    const once: ScenarioReport = {
      ...report,
      buyers: [buyerRun("Анна", 1), buyerRun("Анна", 1)],
    };
    const onceXml = junitXml([
      { report: once, scripts: [{ name: "Анна" }, { name: "Анна" }], botOutput: null },
    ]);
    expect([...onceXml.matchAll(/<testcase [^>]*name="([^"]*)"/g)].map((m) => m[1])).toEqual([
      "Два покупателя v1.2 › buyers[0] Анна",
      "Два покупателя v1.2 › buyers[1] Анна",
    ]);
  });

  test("a scenario that could not run is an <error>, counted in errors", () => {
    const report: ScenarioReport = {
      name: "Не запустился",
      file: "a.yaml",
      position: { line: 1, column: 1 },
      outcome: "failed",
      error: "not run: no Beseda at http://127.0.0.1:9 (ECONNREFUSED)",
      started_at: "2026-01-02T03:04:05.678Z",
      duration_ms: 0,
      seller_id: null,
      buyers: [],
      reply_times: null,
    };
    const xml = junitXml([{ report, scripts: [{ name: "Анна" }], botOutput: null }]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(
      /<testsuites name="beseda test" tests="1" failures="0" errors="1" skipped="0"/,
    );
    expect(xml).toContain(
      '<error message="not run: no Beseda at http://127.0.0.1:9 (ECONNREFUSED)" type="scenario">',
    );
  });
});

/** A buyer run of one step that ended `outcome`, failing with `message` when it failed. */
function oneStepRun(buyer: string, outcome: "passed" | "failed", message: string): BuyerRunReport {
  return {
    buyer,
    run: 1,
    buyer_id: 1,
    chat_id: "c",
    outcome,
    duration_ms: 5,
    steps: [
      {
        index: 0,
        title: "wait 20s",
        kind: "wait",
        position: { line: 5, column: 9 },
        outcome,
        duration_ms: 5,
        reply_ms: null,
        failure: outcome === "failed" ? { message, expected: null, actual: null } : null,
      },
    ],
    conversation: [],
    variables: {},
  };
}

describe("a scenario the runner was interrupted in", () => {
  const base: ScenarioReport = {
    name: "Два покупателя",
    file: "a.yaml",
    position: { line: 1, column: 1 },
    outcome: "failed",
    error: null,
    started_at: "2026-01-02T03:04:05.678Z",
    duration_ms: 10,
    seller_id: 1,
    buyers: [],
    reply_times: null,
  };
  const reason = "interrupted (SIGINT)";

  test("is skipped with the interruption as its error, in the report and in JUnit (not a failure)", () => {
    const report = asInterrupted(
      {
        ...base,
        buyers: [oneStepRun("Анна", "passed", ""), oneStepRun("Борис", "failed", reason)],
      },
      reason,
    );
    expect(report.outcome).toBe("skipped");
    expect(report.error).toBe(reason);
    expect(report.buyers.map((run) => run.outcome)).toEqual(["passed", "skipped"]);
    expect(report.buyers[1]?.steps[0]?.outcome).toBe("skipped");
    expect(report.buyers[1]?.steps[0]?.failure?.message).toBe(reason);
    const xml = junitXml([
      { report, scripts: [{ name: "Анна" }, { name: "Борис" }], botOutput: null },
    ]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(
      /<testsuites name="beseda test" tests="2" failures="0" errors="0" skipped="1"/,
    );
    expect(xml).toContain('<skipped message="interrupted (SIGINT)"/>');
  });

  test("a buyer run that failed of its own stays failed; a bot's crash is no interruption", () => {
    const mixed = asInterrupted(
      {
        ...base,
        buyers: [
          oneStepRun("Анна", "failed", "no reply within 2s"),
          oneStepRun("Борис", "failed", reason),
        ],
      },
      reason,
    );
    expect(mixed.outcome).toBe("failed");
    expect(mixed.buyers.map((run) => run.outcome)).toEqual(["failed", "skipped"]);
    const crashed =
      "the bot exited (code 7) while the scenario ran; it will be started again if another scenario runs";
    const crash = asInterrupted(
      { ...base, buyers: [oneStepRun("Анна", "failed", crashed)] },
      reason,
    );
    expect(crash.outcome).toBe("failed");
    expect(crash.error).toBeNull();
    expect(crash.buyers[0]?.outcome).toBe("failed");
  });
});

describe("the text report", () => {
  const parsed = (text: string) => {
    const result = parseScenario(text, "a.yaml");
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.scenario;
  };
  const printed = (text: string, buyers: BuyerRunReport[]): string => {
    let out = "";
    const reporter = new TextReporter(
      (chunk) => {
        out += chunk;
      },
      { colour: false, live: false, columns: 80 },
    );
    const report: ScenarioReport = {
      name: "Два покупателя",
      file: "a.yaml",
      position: { line: 1, column: 1 },
      outcome: "passed",
      error: null,
      started_at: "2026-01-02T03:04:05.678Z",
      duration_ms: 10,
      seller_id: 1,
      buyers,
      reply_times: { count: 2, p50_ms: 10, p95_ms: 20, p99_ms: 20, max_ms: 20, timed_out: 0 },
    };
    reporter.scenario("a.yaml", parsed(text), report, { notes: [], botOutput: null, botLog: null });
    return out;
  };
  const twoBuyers = `name: Два покупателя
buyers:
  - name: Анна
    steps: [{ wait: 1s }]
  - name: Борис
    steps: [{ wait: 1s }]
`;

  test("buyers side by side are no load test: their steps, no reply-time summary; repeat is one", () => {
    const side = printed(twoBuyers, [
      oneStepRun("Анна", "passed", ""),
      oneStepRun("Борис", "passed", ""),
    ]);
    expect(side).toContain("✓ Анна  wait 20s");
    expect(side).toContain("✓ Борис  wait 20s");
    expect(side).not.toContain("reply times");
    expect(side).not.toContain("buyer runs passed");

    const repeated = printed(`${twoBuyers}repeat: 2\n`, [
      oneStepRun("Анна #1", "passed", ""),
      oneStepRun("Борис #1", "passed", ""),
      oneStepRun("Анна #2", "passed", ""),
      oneStepRun("Борис #2", "passed", ""),
    ]);
    expect(repeated).toContain("4 of 4 buyer runs passed");
    expect(repeated).toContain("reply times: 2 replies, p50 10 ms");
  });
});

describe("a child that dies by a signal that dumps core", () => {
  test("its supervisor does not dump one too: it exits 128 + N, read back as the signal", async () => {
    const child = spawnGroup(
      { command: "kill -ABRT $$", args: [], shell: true, graceMs: 1000, tempDirPrefix: null },
      process.env,
    );
    const exit = await child.exited;
    await child.stop();
    expect(exit).toEqual({ code: 134, signal: null });
    expect(describeExit(exit)).toBe("SIGABRT");
    expect(describeExit({ code: 3, signal: null })).toBe("code 3");
    expect(describeExit({ code: null, signal: "SIGKILL" })).toBe("SIGKILL");
  });
});

describe("the sandbox client as the runner makes it", () => {
  test("a broken connection is not 'no Beseda'; a server that never answers is given up on; hints are the caller's", async () => {
    const reset = createServer((socket) => socket.resetAndDestroy()).listen(0, "127.0.0.1");
    const silent = createServer(() => {}).listen(0, "127.0.0.1");
    await Promise.all([once(reset, "listening"), once(silent, "listening")]);
    const urlOf = (server: typeof reset) =>
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const failure = (client: SandboxClient, options?: { signal: AbortSignal }) =>
      client.call("GET", "/clock", undefined, options).then(
        () => "answered",
        (error: Error) => error.message,
      );
    try {
      expect(await failure(new SandboxClient({ url: urlOf(reset), adminToken: "t" }))).toBe(
        `the connection to Beseda at ${urlOf(reset)} failed (ECONNRESET)`,
      );
      const started = performance.now();
      expect(
        await failure(
          new SandboxClient({ url: urlOf(silent), adminToken: "t" }, { timeoutMs: 300 }),
        ),
      ).toBe(`GET /sandbox/v1/clock: Beseda at ${urlOf(silent)} did not answer within 0.3 s`);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(
        await failure(new SandboxClient({ url: urlOf(silent), adminToken: "t" }), {
          signal: AbortSignal.timeout(100),
        }),
      ).toBe("GET /sandbox/v1/clock: interrupted");
      // Nothing listens where `reset` was once it is closed: the hint given, and only it.
      const gone = urlOf(reset);
      await new Promise((resolve) => reset.close(resolve));
      const hinted = new SandboxClient(
        { url: gone, adminToken: "t" },
        { unreachableHint: "try X" },
      );
      expect(await failure(hinted)).toBe(`no Beseda at ${gone} (ECONNREFUSED); try X`);
      expect(await failure(new SandboxClient({ url: gone, adminToken: "t" }))).toBe(
        `no Beseda at ${gone} (ECONNREFUSED)`,
      );
    } finally {
      reset.close();
      silent.close();
    }
  });
});

describe("what the runner reads", () => {
  test("a line ends at \\n, \\r\\n or a lone \\r, even split across chunks; a line without end is cut", () => {
    const log = new OutputLog(null);
    log.add("загрузка 10%\rзагрузка 100%\r");
    log.add("\nготово\r\n");
    log.add("ещё");
    expect(log.last(10)).toEqual(["загрузка 10%", "загрузка 100%", "готово", "ещё"]);
    log.add("\n");
    const mark = log.mark();
    log.add(`${"x".repeat(MAX_LINE_CHARS * 2 + 5)}`);
    expect(log.since(mark, 10).map((line) => line.length)).toEqual([
      MAX_LINE_CHARS,
      MAX_LINE_CHARS,
      5,
    ]);
    log.add(`\n${"y".repeat(MAX_LINE_CHARS + 10)}\n`);
    expect(log.last(1)).toEqual([`${"y".repeat(MAX_LINE_CHARS)}… (10 more characters)`]);
  });

  test("folders are searched through symbolic links, each folder once (a link back up is no loop)", async () => {
    const cwd = project({
      "real/a.yaml": HAPPY,
      "elsewhere/b.yaml": HAPPY,
      "elsewhere/deeper/c.yml": HAPPY,
      "single.yaml": HAPPY,
    });
    symlinkSync(join(cwd, "elsewhere"), join(cwd, "real/linked"));
    symlinkSync(join(cwd, "single.yaml"), join(cwd, "real/single-link.yaml"));
    symlinkSync(join(cwd, "real"), join(cwd, "real/loop"));
    symlinkSync(join(cwd, "nowhere"), join(cwd, "real/broken.yaml"));
    const found = await findScenarioFiles(["real"], cwd);
    expect(found.map((path) => relative(cwd, path))).toEqual([
      "real/a.yaml",
      "real/linked/b.yaml",
      "real/linked/deeper/c.yml",
      "real/single-link.yaml",
    ]);
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

describe("against a Beseda the user runs: the bot's account", () => {
  test(
    "an account that cannot work is said once, before anything runs (exit 2); a bot the runner starts there reuses its account and leaves no subscription",
    async () => {
      const server = await startTestServer();
      const api = new TestApi(server.url, server.adminToken);
      const hooks = [await startReceiver(200), await startReceiver(200)];
      try {
        const cwd = project({ "scenarios/happy.yaml": HAPPY });
        const remote = ["--url", server.url, "--admin-token", server.adminToken];
        const [unknown, noneSubscribed] = await Promise.all([
          besedaTest(cwd, [...remote, "--account", "12345"]),
          besedaTest(cwd, remote),
        ]);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toContain(
          `no account 12345 on ${server.url} (--account): nothing ran`,
        );
        expect(noneSubscribed.code).toBe(2);
        expect(noneSubscribed.stderr).toContain(
          `no account of ${server.url} has a webhook subscription`,
        );

        type Listed = { accounts: { user_id: number; name: string; subscription: unknown }[] };
        const botAccounts = async () =>
          (await api.sandbox<Listed>("GET", "/accounts")).body.accounts.filter(
            (a) => a.name === "beseda test bot",
          );
        const first = await besedaTest(cwd, [...remote, "--bot", BOT_COMMAND]);
        expect(first.code, first.stdout + first.stderr).toBe(0);
        // BESEDA_URL in the environment does what --url does, and the first line says so.
        const second = await besedaTest(
          cwd,
          ["--admin-token", server.adminToken, "--bot", BOT_COMMAND],
          { env: { BESEDA_URL: server.url } },
        );
        expect(second.code, second.stdout + second.stderr).toBe(0);
        expect(second.stdout).toContain(`Beseda at ${server.url} (from BESEDA_URL), bot: `);
        const accounts = await botAccounts();
        expect(accounts).toHaveLength(1);
        expect(accounts[0]?.subscription).toBeNull();

        // Two accounts with a subscription: which one is the bot's is for the user to say.
        for (const [index, name] of ["Магазин 1", "Магазин 2"].entries()) {
          const seller = await api.createAccount(name);
          const token = await api.token(seller);
          const subscribed = await api.call("postWebhookV3", {
            token,
            params: {},
            json: { url: hooks[index]?.url },
          });
          expect(subscribed.status).toBe(200);
        }
        const twoSubscribed = await besedaTest(cwd, remote);
        expect(twoSubscribed.code).toBe(2);
        expect(twoSubscribed.stderr).toMatch(
          /2 accounts of \S+ have a webhook subscription \(\d+, \d+\): give --account USER_ID of your bot/,
        );
      } finally {
        for (const hook of hooks) await hook.close();
        await server.stop();
      }
    },
    RUN_TIMEOUT * 2,
  );

  test(
    "no Beseda at --url: every scenario could not run, reported as an error (JSON, JUnit), exit 1",
    async () => {
      const cwd = project({ "scenarios/a.yaml": HAPPY, "scenarios/b.yaml": ABOUT_ITEM });
      // A port nothing listens on: one that was free a moment ago.
      const probe = createServer().listen(0, "127.0.0.1");
      await once(probe, "listening");
      const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
      await new Promise((resolve) => probe.close(resolve));
      const run = await besedaTest(cwd, [
        "--url",
        url,
        "--admin-token",
        "t",
        "--json",
        "out.json",
        "--junit",
        "junit.xml",
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        `beseda test: no Beseda at ${url} (ECONNREFUSED); is a Beseda running there? (--url)`,
      );
      expect(run.stdout).not.toContain("npm start");
      expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("0 passed, 2 failed");
      const reports = JSON.parse(readFileSync(join(cwd, "out.json"), "utf8")) as ScenarioReport[];
      expect(reports.map((r) => [r.outcome, r.error])).toEqual([
        ["failed", expect.stringMatching(/^not run: no Beseda at /)],
        ["failed", expect.stringMatching(/^not run: no Beseda at /)],
      ]);
      const xml = readFileSync(join(cwd, "junit.xml"), "utf8");
      expect(xml).toMatch(
        /<testsuites name="beseda test" tests="2" failures="0" errors="2" skipped="0"/,
      );
      expect(xml.match(/<error message="not run: /g)).toHaveLength(2);
    },
    RUN_TIMEOUT,
  );
});
