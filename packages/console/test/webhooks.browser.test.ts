// The console's webhook log in real Chromium against a real Beseda and a real receiver: a
// delivery appears live with its attempt and the exact body sent; redeliver sends it again; pause
// holds an account's deliveries queued and resume sends them.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Receiver, startReceiver } from "../../server/test/helpers/receiver.ts";
import { type ConsoleHarness, startConsole } from "./helpers/console.ts";
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

async function logOf(userId: number): Promise<Page> {
  const page = await h.signedInPage();
  await page.goto(`${h.server.url}/console/webhooks?user_id=${userId}`);
  await until(() => page.getByRole("heading", { name: "Subscription" }).count()).toBe(1);
  return page;
}

const deliveryRow = (page: Page, messageId: string, status: string) =>
  page.getByRole("button", { name: `Delivery of message ${messageId}: ${status}` });

describe("webhook log", () => {
  test("shows a delivery live with its attempt and body, and its redelivery", async () => {
    const { seller, buyer, chatId, sellerToken } = h.w;
    hook.script.push(200); // the subscription's probe
    await subscribe(h.api, sellerToken, hook.url);
    await hook.waitFor(1);
    const page = await logOf(seller.user_id);
    await until(() => page.locator(".subscriptions").textContent()).toContain(hook.url);

    const { id } = await h.api.text(chatId, buyer.user_id, "А доставка есть?");
    const carries = (body: string) => body.includes(id);
    await hook.waitFor(1, { filter: (r) => carries(r.body) });
    const row = deliveryRow(page, id, "delivered");
    await until(() => row.count()).toBe(1);
    await row.click();
    const delivery = page.locator(".delivery", { has: row });
    await until(() => delivery.getByText("Attempt 1").count()).toBe(1);
    expect(await delivery.getByText("HTTP 200").count()).toBeGreaterThan(0);
    expect(await delivery.textContent()).toContain("А доставка есть?");
    // The exact body sent, pretty-printed.
    const sent = hook.received.find((r) => carries(r.body));
    const shown = await delivery.locator(".delivery-body").textContent();
    expect(JSON.parse(shown ?? "null")).toEqual(JSON.parse(sent?.body ?? ""));
    // Byte for byte, as signed: what a receiver's signature check must be given.
    await delivery.getByLabel("Exact bytes", { exact: true }).check();
    expect(await delivery.locator(".delivery-body").textContent()).toBe(sent?.body);
    // And the headers sent, the signature among them.
    const signature = String(sent?.headers["x-avito-messenger-signature"] ?? "");
    expect(signature).not.toBe("");
    const headers = delivery.getByRole("region", { name: "Headers sent" });
    expect(await headers.textContent()).toContain(`x-avito-messenger-signature${signature}`);

    await delivery.getByRole("button", { name: `Redeliver message ${id}` }).click();
    await hook.waitFor(2, { filter: (r) => carries(r.body) });
    await until(() => delivery.getByText("Attempt 2").count()).toBe(1);
    expect(hook.received.filter((r) => carries(r.body)).map((r) => r.body)).toEqual([
      sent?.body,
      sent?.body,
    ]);
    await snap(page, "webhooks");
  });

  test("paused deliveries stay queued; resumed, they are delivered", async () => {
    const { seller, buyer, chatId } = h.w;
    const page = await logOf(seller.user_id);
    await page.getByRole("button", { name: `Pause the deliveries of ${seller.name}` }).click();
    await until(async () =>
      (await sandboxAccounts(h.api)).find((a) => a.user_id === seller.user_id),
    ).toMatchObject({ webhooks_paused: true });
    await until(() => page.locator(".subscriptions").textContent()).toContain("paused");

    const { id } = await h.api.text(chatId, buyer.user_id, "Можно посмотреть сегодня?");
    const carries = (body: string) => body.includes(id);
    await until(() => deliveryRow(page, id, "queued").count()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(hook.received.filter((r) => carries(r.body))).toHaveLength(0);

    await page.getByRole("button", { name: `Resume the deliveries of ${seller.name}` }).click();
    await hook.waitFor(1, { filter: (r) => carries(r.body) });
    await until(() => deliveryRow(page, id, "delivered").count()).toBe(1);
    const after = (await sandboxAccounts(h.api)).find((a) => a.user_id === seller.user_id);
    expect(after?.webhooks_paused).toBe(false);
  });
});
