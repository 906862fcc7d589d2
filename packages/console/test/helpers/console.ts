// The console in a real browser against a real Beseda: Debian's Chromium (playwright-core) and an
// in-process server on a random port with the small test world. Pages are signed in through the
// form, as a person would. Screenshots go to test-results/console/ (a test artifact; the README
// shows two of them from docs/).
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import type { TestApi } from "../../../server/test/helpers/api.ts";
import { launchChromium } from "../../../server/test/helpers/chromium.ts";
import type { TestServer } from "../../../server/test/helpers/test-server.ts";
import { serverWithWorld, type World } from "../../../server/test/helpers/world.ts";

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

const SCREENSHOTS = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../test-results/console",
);

export interface ConsoleHarness {
  server: TestServer;
  api: TestApi;
  w: World;
  browser: Browser;
  /** A new browser context (its own cookies), signed in, at /console. */
  signedInPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function startConsole(): Promise<ConsoleHarness> {
  const browser = await launchChromium("the console's browser tests");
  const { server, api, w } = await serverWithWorld();
  const contexts: BrowserContext[] = [];
  return {
    server,
    api,
    w,
    browser,
    async signedInPage(viewport = DESKTOP) {
      const context = await browser.newContext({ viewport, locale: "ru-RU" });
      contexts.push(context);
      const page = await context.newPage();
      await signIn(page, server.url, server.adminToken);
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await server.stop();
    },
  };
}

export async function signIn(page: Page, base: string, adminToken: string): Promise<void> {
  await page.goto(`${base}/console`);
  await page.getByLabel("Admin token").fill(adminToken);
  await page.getByRole("button", { name: "Sign in" }).click();
  // A loaded machine (two test files at once) may take more than expect.poll's default second.
  await expect
    .poll(() => page.getByRole("navigation", { name: "Sections" }).count(), { timeout: 10_000 })
    .toBe(1);
}

/** Waits until the page's live connection is up: its header says "Live". */
export async function waitUntilLive(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page
          .getByRole("status")
          .filter({ hasText: /^Live$/ })
          .count(),
      {
        timeout: 10_000,
      },
    )
    .toBe(1);
}

/** Saves a full-page screenshot as test-results/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Whether the page scrolls sideways (content wider than the viewport). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
  );
}
