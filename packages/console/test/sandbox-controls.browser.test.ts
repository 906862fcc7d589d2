// The console's sandbox page in real Chromium against a real Beseda: a fault rule added there
// fails the next API call and shows it fired; a refused rule names its field; the clock advances
// by a preset and by a typed duration; the world is exported, imported back, and reset.
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ConsoleHarness, startConsole } from "./helpers/console.ts";
import { sandboxAccounts, snap, until } from "./helpers/operations.ts";

let h: ConsoleHarness;
let page: Page;

beforeAll(async () => {
  h = await startConsole();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

async function openSandbox(): Promise<void> {
  page ??= await h.signedInPage();
  await page.goto(`${h.server.url}/console/sandbox`);
  await until(() => page.getByRole("button", { name: "Add rule" }).count()).toBe(1);
}

async function faults(): Promise<{ id: string }[]> {
  return (await h.api.sandbox<{ faults: { id: string }[] }>("GET", "/faults")).body.faults;
}

describe("fault rules", () => {
  test("a rule added in the console fails the next API call, and the list shows it fired", async () => {
    const { seller, sellerToken } = h.w;
    const getChats = () =>
      h.api.call("getChatsV2", { token: sellerToken, params: { user_id: seller.user_id } });
    await openSandbox();
    await page.getByLabel("Operation").selectOption("getChatsV2");
    await page.getByLabel("Account").selectOption(String(seller.user_id));
    await page.getByLabel("Status").selectOption("500");
    await page.getByLabel("Times").fill("1");
    await page.getByRole("button", { name: "Add rule" }).click();

    await until(async () => (await faults()).length).toBe(1);
    const [rule] = await faults();
    if (!rule) return;
    const fired = page.getByLabel(`Counts of ${rule.id}`).locator("dd").first();
    await until(() => fired.textContent()).toBe("0");

    expect((await getChats()).status).toBe(500);
    expect((await getChats()).status).toBe(200);
    // The list is refetched on its own: fired once, and spent.
    await until(() => fired.textContent()).toBe("1");
    const row = page.locator(".fault", { has: fired });
    await until(() => row.getByText("spent", { exact: true }).count()).toBe(1);
    await snap(page, "sandbox");

    await page.getByRole("button", { name: `Remove ${rule.id}` }).click();
    await until(async () => (await faults()).length).toBe(0);
    await until(() => row.count()).toBe(0);
  });

  test("a refused rule names its field, and nothing is added", async () => {
    await openSandbox();
    await page.getByLabel("Operation").selectOption("getSubscriptions");
    await page.getByLabel("Status").selectOption("429");
    expect(await page.getByLabel("Retry-After, s").isDisabled()).toBe(false);
    await page.getByLabel("Drop the connection").selectOption("before");
    // Choosing a drop cleared the status; asking for both is refused by the server.
    expect(await page.getByLabel("Status").inputValue()).toBe("");
    await page.getByLabel("Status").selectOption("502");
    await page.getByRole("button", { name: "Add rule" }).click();
    await until(() => page.locator(".fault-form [role=alert]").textContent()).toContain("drop");
    expect(await page.getByLabel("Drop the connection").getAttribute("aria-invalid")).toBe("true");
    expect(await faults()).toHaveLength(0);
  });
});

describe("clock", () => {
  test("a preset and a typed duration move the API's clock", async () => {
    const clock = async () =>
      (await h.api.sandbox<{ now: number; offset_seconds: number }>("GET", "/clock")).body;
    await openSandbox();
    const before = await clock();
    const panel = page.getByRole("region", { name: "Clock" });
    await panel.getByRole("button", { name: "+1 h" }).click();
    await until(async () => (await clock()).offset_seconds).toBeGreaterThanOrEqual(
      before.offset_seconds + 3600,
    );
    expect((await clock()).offset_seconds).toBeLessThan(before.offset_seconds + 3600 + 60);
    await until(() => panel.textContent()).toContain("1 h ahead of real time");

    await panel.getByLabel("Advance by a duration").fill("soon");
    await panel.getByRole("button", { name: "Advance", exact: true }).click();
    await until(() => panel.getByRole("alert").count()).toBe(1);
    await panel.getByLabel("Advance by a duration").fill("2h30m");
    await panel.getByRole("button", { name: "Advance", exact: true }).click();
    await until(async () => (await clock()).offset_seconds).toBeGreaterThanOrEqual(
      before.offset_seconds + 3600 + 9000,
    );
    await until(() => panel.textContent()).toContain("3 h 30 min ahead of real time");
  });
});

describe("world", () => {
  test("export downloads the world; import loads it back, or names what it refuses", async () => {
    await openSandbox();
    const world = page.getByRole("region", { name: "World" });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      world.getByRole("button", { name: "Download world" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^beseda-world-.*\.json$/);
    const text = await readFile(await download.path(), "utf8");
    const exported = JSON.parse(text) as { format: string; accounts: { name: string }[] };
    expect(exported.format).toBe("beseda-fixture");
    expect(exported.accounts.map((a) => a.name).sort()).toEqual(
      (await sandboxAccounts(h.api)).map((a) => a.name).sort(),
    );

    const file = world.getByLabel("Fixture file");
    const fixture = (name: string, body: string) => ({
      name,
      mimeType: "application/json",
      buffer: Buffer.from(body),
    });
    // Into a store that holds a world, without "replace": refused, with the way out.
    await file.setInputFiles(fixture("world.json", text));
    await world.getByRole("button", { name: "Import" }).click();
    await until(() => world.getByRole("alert").count()).toBe(1);
    expect(await world.textContent()).toContain("Replace the current world");

    // A refused document: its fields are named, and the world is untouched.
    const broken = { ...JSON.parse(text), version: 99 };
    await file.setInputFiles(fixture("broken.json", JSON.stringify(broken)));
    await world.getByLabel("Replace the current world (deletes it first)").check();
    await world.getByRole("button", { name: "Import" }).click();
    await until(() => world.getByRole("alert").textContent()).toContain("version");
    expect(await sandboxAccounts(h.api)).toHaveLength(exported.accounts.length);

    await file.setInputFiles(fixture("world.json", text));
    await world.getByRole("button", { name: "Import" }).click();
    await until(() => world.getByRole("status").filter({ hasText: "Imported" }).count()).toBe(1);
    expect(await world.textContent()).toContain(`${exported.accounts.length} accounts`);
  });

  test("reset asks first, says what it deletes, and empties the sandbox", async () => {
    await openSandbox();
    await page.getByRole("button", { name: "Reset the sandbox…" }).click();
    const dialog = page.getByRole("dialog", { name: "Reset the sandbox?" });
    await until(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain("every chat and message");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await until(() => dialog.isVisible()).toBe(false);
    expect((await sandboxAccounts(h.api)).length).toBeGreaterThan(0);

    await page.getByRole("button", { name: "Reset the sandbox…" }).click();
    await dialog
      .getByLabel("Seed the demo world again (a seller, buyers and their chats)")
      .uncheck();
    await dialog.getByRole("button", { name: "Delete everything and reset" }).click();
    await until(() => dialog.isVisible()).toBe(false);
    expect(await sandboxAccounts(h.api)).toEqual([]);
    await until(() => page.getByRole("status").filter({ hasText: "it is empty" }).count()).toBe(1);
  });
});
