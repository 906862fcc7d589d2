// The README's five minutes, run for real: a Beseda, the example client as its own process, the
// seller signing it in through the consent page in Chromium, and the fault rules of the
// walkthrough (a 429 storm, then a send whose answer is cut off after it was stored) added with
// the `beseda` CLI. The client must come through with every message in the chat exactly once.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { TestApi } from "../../packages/server/test/helpers/api.ts";
import { launchChromium } from "../../packages/server/test/helpers/chromium.ts";
import { freePort, runCli } from "../../packages/server/test/helpers/server-process.ts";
import {
  startTestServer,
  type TestServer,
} from "../../packages/server/test/helpers/test-server.ts";
import { makeWorld, type World } from "../../packages/server/test/helpers/world.ts";

const CLIENT = fileURLToPath(new URL("./client.ts", import.meta.url));
const COUNT = 5;

let server: TestServer;
let api: TestApi;
let w: World;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium("the five-minute walkthrough's test");
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
  w = await makeWorld(api);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function beseda(...args: string[]): Promise<string> {
  const run = runCli(args, { BESEDA_URL: server.url, BESEDA_ADMIN_TOKEN: server.adminToken });
  const { code } = await run.exited;
  expect(code, run.stderr()).toBe(0);
  return run.stdout();
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("sign in through the consent page, then survive a 429 storm and a dropped send", async () => {
  const port = await freePort();
  const created = await beseda(
    "accounts",
    "create",
    "Моя CRM",
    "--redirect-uri",
    `http://localhost:${port}/avito/callback`,
    "--json",
  );
  const app = JSON.parse(created) as { client_id: string; client_secret: string };
  const seller = String(w.seller.user_id);
  // The walkthrough's faults: three 429s (Retry-After 1), then one send cut off after it was stored.
  await beseda(
    "fault",
    "add",
    "--operation",
    "postSendMessage",
    "--user",
    seller,
    "--status",
    "429",
    "--times",
    "3",
    "--retry-after",
    "1",
  );
  await beseda(
    "fault",
    "add",
    "--operation",
    "postSendMessage",
    "--user",
    seller,
    "--drop",
    "after",
    "--times",
    "1",
  );

  const client = spawn(
    process.execPath,
    [CLIENT, "--base", server.url, "--port", String(port), "--count", String(COUNT)],
    { env: { ...process.env, CLIENT_ID: app.client_id, CLIENT_SECRET: app.client_secret } },
  );
  let output = "";
  client.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  client.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => client.on("exit", resolve));
  try {
    await waitFor(() => /Open (\S+)/.test(output), "the consent URL");
    const consentUrl = /Open (\S+)/.exec(output)?.[1] as string;

    const page = await browser.newPage();
    await page.goto(consentUrl);
    await page.selectOption("select[name=user_id]", seller);
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(`http://localhost:${port}/avito/callback`)),
      page.click("button[value=approve]"),
    ]);
    await page.close();

    expect(await exited, output).toBe(0);
  } finally {
    client.kill();
  }
  expect(output).toContain(`acting as Продавец (${seller})`);
  expect(output.match(/429 on attempt \d+ \[sandbox fault fault-\d+\]: waiting 1 s/g)).toHaveLength(
    3,
  );
  expect(output).toMatch(/no answer on attempt 4: was it stored\? looking at the chat/);
  expect(output).toContain("is in the chat: not sending it again");
  expect(output).toContain(`all ${COUNT} messages are in the chat exactly once`);

  // Both rules are spent, each having fired as often as the walkthrough says.
  const listed = await beseda("fault", "list");
  expect(listed).toMatch(/answer 429 \(3 times\); fired 3, spent/);
  expect(listed).toMatch(/drop after \(1 times\); fired 1, spent/);
}, 60_000);
