// The reference at /docs in a real browser (Debian's Chromium, driven by playwright-core): it
// renders the operations of the served documents, switches to the sandbox's, and asks no host but
// Beseda for anything (no CDN, no fonts, no validator badge).
//
// Chromium is required, not optional: without it this file fails and says how to install it.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launchChromium } from "./helpers/chromium.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium("the /docs browser tests");
  server = await startTestServer();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens a page, recording every URL it asks for. */
async function open(path: string): Promise<{ page: Page; requested: string[] }> {
  const page = await browser.newPage();
  const requested: string[] = [];
  page.on("request", (request) => {
    requested.push(request.url());
  });
  await page.goto(`${server.url}${path}`);
  return { page, requested };
}

test("/docs renders the messenger's operations from this server alone", async () => {
  const { page, requested } = await open("/docs");
  try {
    const summaries = page.locator(".opblock-summary-description");
    await summaries.first().waitFor({ timeout: 20_000 });
    const texts = await summaries.allTextContents();
    expect(texts).toContain("Отправка сообщения");
    expect(texts).toContain("Прочитать чат");
    // The menu offers every served document.
    const options = await page.locator("#select option").allTextContents();
    expect(options).toEqual([
      "Messenger API",
      "Tokens (auth)",
      "User: accounts/self",
      "Items",
      "Sandbox control API",
    ]);
    const foreign = requested.filter((url) => !url.startsWith(`${server.url}/`));
    expect(foreign).toEqual([]);
    expect(requested).toContain(`${server.url}/openapi/messenger.json`);
  } finally {
    await page.close();
  }
}, 60_000);

test("/docs?doc=sandbox opens the sandbox's document, and the menu switches to another", async () => {
  const { page, requested } = await open("/docs?doc=sandbox");
  try {
    const summaries = page.locator(".opblock-summary-description");
    await page.getByText("Create an account (and its app)").first().waitFor({ timeout: 20_000 });
    expect(await summaries.allTextContents()).toContain("Add a fault rule");
    await page.locator("#select").selectOption({ label: "Items" });
    await page
      .getByText("Получение информации по объявлениям")
      .first()
      .waitFor({ timeout: 20_000 });
    expect(requested).toContain(`${server.url}/openapi/items.json`);
    expect(requested.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([]);
  } finally {
    await page.close();
  }
}, 60_000);
