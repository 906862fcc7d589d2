// Live updates survive a lost connection: the server goes away (a restart on the same port and data
// dir), something happens while the console is cut off, and the console shows it once it is back,
// without a reload. The stream's ids are of the old run, so the server answers `resync` and every
// page fetches its state again.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TestApi } from "../../server/test/helpers/api.ts";
import { launchChromium } from "../../server/test/helpers/chromium.ts";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.ts";
import { DESKTOP, signIn } from "./helpers/console.ts";

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  browser = await launchChromium("the console's browser tests");
  server = await startTestServer();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const indicator = (page: Page) => page.getByRole("status").filter({ hasText: /Live|connect/ });

describe("a lost connection", () => {
  // Without an event before the drop, the console has no id to resume from and fetches again on
  // its own; with one, the restarted server cannot replay the old run's ids and says `resync`.
  test.each([
    ["no event", false],
    ["an event", true],
  ])(
    "reconnects and catches up (%s seen before the drop)",
    async (label, eventBefore) => {
      const api = new TestApi(server.url, server.adminToken);
      await api.createAccount(`Продавец до обрыва (${label})`);
      const context = await browser.newContext({ viewport: DESKTOP });
      const page = await context.newPage();
      await signIn(page, server.url, server.adminToken);
      await page.goto(`${server.url}/console/accounts`);
      await expect.poll(() => indicator(page).textContent()).toContain("Live");
      await expect
        .poll(() => page.getByText(`Продавец до обрыва (${label})`).count())
        .toBeGreaterThan(0);
      if (eventBefore) {
        const moved = await api.sandbox("POST", "/clock", { advance_seconds: 60 });
        expect(moved.status).toBe(200);
        await expect.poll(() => indicator(page).getAttribute("data-events")).not.toBe("0");
      }

      // The same data dir and port: the admin token (kept in the data dir) and the cookie still hold.
      const { port } = new URL(server.url);
      await server.close();
      await expect.poll(() => indicator(page).textContent()).toContain("Reconnecting");
      server = await startTestServer({ port: Number(port), dataDir: server.dataDir });
      await new TestApi(server.url, server.adminToken).createAccount(`После обрыва (${label})`);

      await expect
        .poll(() => page.getByText(`После обрыва (${label})`).count(), { timeout: 20_000 })
        .toBeGreaterThan(0);
      await expect.poll(() => indicator(page).textContent()).toContain("Live");
      await context.close();
    },
    60_000,
  );

  test("a session ended elsewhere meanwhile brings the sign-in form back, not endless retries", async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await signIn(page, server.url, server.adminToken);
    // A page that does not poll: only the stream can find out that the session ended.
    await page.goto(`${server.url}/console/inbox`);
    await expect.poll(() => indicator(page).textContent()).toContain("Live");
    // Signed out with a copy of the cookie (another tab, curl): the open stream does not notice.
    const [cookie] = await context.cookies(`${server.url}/console`);
    const out = await fetch(`${server.url}/console/session`, {
      method: "DELETE",
      headers: { cookie: `${cookie?.name}=${cookie?.value}` },
    });
    expect(out.status).toBe(204);
    const { port } = new URL(server.url);
    await server.close();
    server = await startTestServer({ port: Number(port), dataDir: server.dataDir });
    await expect.poll(() => page.getByLabel("Admin token").count(), { timeout: 20_000 }).toBe(1);
    await context.close();
  }, 60_000);
});
