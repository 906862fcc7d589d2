// The console's accounts page in real Chromium against a real Beseda (create an account, which
// is also its app, and an item; reveal the secret), and the operations pages at phone size.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Receiver, startReceiver } from "../../server/test/helpers/receiver.ts";
import { type ConsoleHarness, PHONE, scrollsSideways, startConsole } from "./helpers/console.ts";
import { sandboxAccounts, snap, subscribe, until } from "./helpers/operations.ts";

let h: ConsoleHarness;
let hook: Receiver;

beforeAll(async () => {
  h = await startConsole();
  hook = await startReceiver();
}, 60_000);

afterAll(async () => {
  await hook?.close();
  await h?.close();
});

describe("accounts", () => {
  test("creates an account (its app) and an item from the console; reveal shows the secret", async () => {
    const page = await h.signedInPage();
    await page.goto(`${h.server.url}/console/accounts`);
    // Escape closes a dialog.
    await page.getByRole("button", { name: "New account" }).click();
    const dialog = page.getByRole("dialog", { name: "New account and app" });
    await until(() => dialog.isVisible()).toBe(true);
    await page.keyboard.press("Escape");
    await until(() => dialog.isVisible()).toBe(false);

    await page.getByRole("button", { name: "New account" }).click();
    await dialog.getByLabel("Name").fill("Интегратор");
    // A refused redirect URI is named, and nothing is created.
    await dialog.getByLabel("Redirect URIs (optional)").fill("ftp://example.test/back");
    await dialog.getByRole("button", { name: "Create account" }).click();
    await until(() => dialog.getByRole("alert").textContent()).toContain("redirect_uris");
    expect((await sandboxAccounts(h.api)).some((a) => a.name === "Интегратор")).toBe(false);

    await dialog.getByLabel("Redirect URIs (optional)").fill("http://127.0.0.1:3000/callback");
    await dialog.getByRole("button", { name: "Create account" }).click();
    const created = page.getByRole("dialog", { name: "Account and app created" });
    await until(() => created.isVisible()).toBe(true);
    const account = (await sandboxAccounts(h.api)).find((a) => a.name === "Интегратор");
    expect(account).toBeDefined();
    if (!account) return;
    expect(await created.textContent()).toContain(account.client_secret);
    await created.getByRole("button", { name: "Done" }).click();
    await until(() => created.isVisible()).toBe(false);

    const card = page.getByRole("article", { name: "Интегратор" });
    await until(() => card.textContent()).toContain("http://127.0.0.1:3000/callback");
    // The secret is hidden until revealed.
    expect(await card.textContent()).not.toContain(account.client_secret);
    await card.getByRole("button", { name: "Reveal client_secret" }).click();
    await until(() => card.textContent()).toContain(account.client_secret);

    await card.getByRole("button", { name: "New item of Интегратор" }).click();
    const itemDialog = page.getByRole("dialog", { name: "New item of Интегратор" });
    await itemDialog.getByLabel("Title").fill("Самокат детский");
    await itemDialog.getByLabel("Price").fill("5 000 ₽");
    await itemDialog.getByRole("button", { name: "Create item" }).click();
    await until(() => itemDialog.isVisible()).toBe(false);
    await until(() => card.getByRole("link", { name: "Самокат детский" }).count()).toBe(1);
    const withItem = (await sandboxAccounts(h.api)).find((a) => a.user_id === account.user_id);
    expect(withItem?.items).toEqual([
      expect.objectContaining({ title: "Самокат детский", price_string: "5 000 ₽", status_id: 10 }),
    ]);

    // Expire tokens: the app's access token is refused from now on, as production does.
    const token = await h.api.token(account);
    const chats = () => h.api.call("getChatsV2", { token, params: { user_id: account.user_id } });
    expect((await chats()).status).toBe(200);
    await card.getByRole("button", { name: "Expire the access tokens of Интегратор" }).click();
    await until(() => card.getByRole("status").filter({ hasText: "expired" }).textContent()).toBe(
      "1 access token expired",
    );
    expect((await chats()).status).toBe(403);
    await snap(page, "accounts");
  });
});

describe("phone", () => {
  test("the accounts, webhooks and sandbox pages have no horizontal scroll", async () => {
    const { seller, buyer, chatId, sellerToken } = h.w;
    hook.script.push(200); // the subscription's probe
    await subscribe(h.api, sellerToken, hook.url);
    await h.api.text(
      chatId,
      buyer.user_id,
      "Здравствуйте! Самокат ещё продаётся? Могу забрать сегодня",
    );
    await h.api.sandbox("POST", "/faults", {
      operation: "getChatsV2",
      user_id: seller.user_id,
      status: 429,
      retry_after: 30,
      times: 3,
    });

    const phone = await h.signedInPage(PHONE);
    const base = `${h.server.url}/console`;
    await phone.goto(`${base}/accounts`);
    await until(() => phone.getByRole("article").count()).toBeGreaterThan(2);
    expect(await scrollsSideways(phone), "accounts").toBe(false);
    await snap(phone, "accounts-phone");

    // Opened, a delivery shows its attempts and its JSON body: still no sideways scroll.
    await phone.goto(`${base}/webhooks?user_id=${seller.user_id}`);
    const toggle = phone.locator(".delivery-toggle").first();
    await until(() => toggle.count()).toBe(1);
    await toggle.click();
    await until(() => phone.locator(".delivery-body").count()).toBe(1);
    expect(await scrollsSideways(phone), "webhooks").toBe(false);

    await phone.goto(`${base}/sandbox`);
    await until(() => phone.getByText("getChatsV2", { exact: true }).count()).toBe(1);
    expect(await scrollsSideways(phone), "sandbox").toBe(false);
  });
});
