// The FAQ bot's scenarios as its users run them: `beseda test` in a child process starts its own
// Beseda and the bot (`--bot`), runs every scenario of scenarios/ (all pass, exit 0), then the
// deliberately failing one of failing/ (exit 1), whose report must point at the step and show
// what was expected, what the bot said and the conversation, in the output, the JSON and JUnit.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import type { ScenarioReport } from "../../packages/server/src/scenarios/report.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "packages/server/src/cli.js");
const BOT = "node examples/faq-bot/bot.ts";
const out = mkdtempSync(join(tmpdir(), "faq-bot-scenarios-"));

afterAll(() => rmSync(out, { recursive: true, force: true }));

interface TestRun {
  code: number | null;
  output: string;
  reports: ScenarioReport[];
  junit: string;
}

/** `beseda test <folder> --bot … --junit … --json …` from the repository's root. */
async function besedaTest(folder: string): Promise<TestRun> {
  const junitFile = join(out, `${folder}.xml`);
  const jsonFile = join(out, `${folder}.json`);
  const args = [CLI, "test", `examples/faq-bot/${folder}`, "--bot", BOT];
  const child = spawn(process.execPath, [...args, "--junit", junitFile, "--json", jsonFile], {
    cwd: ROOT,
    // No PATH set up here: the runner gives the bot's `node` its own Node.
    env: { ...process.env, BESEDA_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const read = (file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  };
  const json = read(jsonFile);
  return { code, output, reports: json ? JSON.parse(json) : [], junit: read(junitFile) };
}

/** 1-based line of the first line of `file` (under examples/faq-bot) that contains `text`. */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(join(ROOT, "examples/faq-bot", file), "utf8").split("\n");
  return lines.findIndex((line) => line.includes(text)) + 1;
}

describe("the FAQ bot's scenarios through beseda test", () => {
  test("every scenario of scenarios/ passes", { timeout: 240_000 }, async () => {
    const run = await besedaTest("scenarios");
    expect(run.code, run.output).toBe(0);
    expect(run.reports.map((r) => r.file).length, run.output).toBe(6);
    for (const report of run.reports) {
      expect(report.outcome, `${report.file}\n${run.output}`).toBe("passed");
      for (const buyer of report.buyers) expect(buyer.outcome).toBe("passed");
    }
    const load = run.reports.find((r) => r.file.endsWith("load.yaml"));
    expect(load?.buyers).toHaveLength(20);
    // Two replies a buyer, twenty buyers.
    expect(load?.reply_times?.count).toBe(40);
    expect(run.output).toMatch(/6 passed, 0 failed/);
    expect(run.junit).toContain("<testsuite");
    expect(run.junit).not.toContain("<failure");
  });

  test("the wrong price fails and shows where, what and the conversation", {
    timeout: 120_000,
  }, async () => {
    const run = await besedaTest("failing");
    expect(run.code, run.output).toBe(1);
    const line = lineOf("failing/wrong-price.yaml", "14 000");
    expect(run.output).toMatch(new RegExp(`wrong-price\\.yaml:${line}\\b`));
    expect(run.output).toContain("Цена — 14 000 ₽."); // expected
    expect(run.output).toContain("Цена — 15 000 ₽."); // actual: the bot's answer
    expect(run.output).toContain("Сколько стоит?"); // the conversation
    expect(run.output).toMatch(/0 passed, 1 failed/);

    const [report] = run.reports;
    expect(report?.outcome).toBe("failed");
    const buyer = report?.buyers[0];
    const failed = buyer?.steps.find((step) => step.outcome === "failed");
    expect(failed?.position.line).toBe(line);
    expect(failed?.failure?.expected).toContain("Цена — 14 000 ₽.");
    expect(failed?.failure?.actual).toContain("Цена — 15 000 ₽.");
    expect(buyer?.steps.at(-1)?.outcome).toBe("skipped");
    expect(buyer?.conversation.map((m) => `${m.side}: ${m.text}`)).toEqual([
      "buyer: Здравствуйте!",
      "seller: Здравствуйте! «Диван угловой» ещё продаётся. Спросите о доставке, цене или оплате.",
      "buyer: Сколько стоит?",
      "seller: Цена — 15 000 ₽.",
    ]);

    expect(run.junit).toContain("<failure");
    expect(run.junit).toContain("Цена — 14 000 ₽.");
    expect(run.junit).toContain("Цена — 15 000 ₽.");
  });
});
