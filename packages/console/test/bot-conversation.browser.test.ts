// The "Done when", in real Chromium against a real Beseda and a real bot: a user signs in,
// opens the seller's inbox, starts a u2i chat from a new buyer with the New chat dialog, writes
// as the buyer, and sees the seller's bot answer live, without a reload; the webhook log then
// shows the delivery that woke the bot as delivered. The bot is a few lines of node:http: it
// subscribes itself with postWebhookV3 and answers every text message from someone else through
// the messenger API (postSendMessage) with the seller's token.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ConsoleHarness, screenshot, startConsole, waitUntilLive } from "./helpers/console.ts";
import { type EchoBot, startEchoBot } from "./helpers/echo-bot.ts";

/** Polls until the check passes: generous, because two test files share two cores. */
const soon = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000 });

let h: ConsoleHarness;
let bot: EchoBot;

beforeAll(async () => {
  h = await startConsole();
  bot = await startEchoBot(h.api, h.w.sellerToken);
}, 60_000);

afterAll(async () => {
  await bot?.close();
  await h?.close();
});

describe("a conversation with one's own bot, without curl", () => {
  test("a new buyer writes from the console and the seller's bot answers live; the webhook log shows it delivered", async () => {
    const { seller } = h.w;
    const question = "Здравствуйте, велосипед ещё продаётся?";
    const page = await h.signedInPage();
    const nav = page.getByRole("navigation", { name: "Sections" });

    // The seller's inbox, picked from the accounts as a first visit finds them.
    await nav.getByRole("link", { name: "Inbox" }).click();
    await page
      .getByRole("list", { name: "Accounts" })
      .getByRole("link", { name: /Продавец/ })
      .click();
    await soon(() => page.url()).toMatch(new RegExp(`/inbox/${seller.user_id}$`));
    await waitUntilLive(page);
    await page.evaluate(() => {
      document.documentElement.dataset.testMark = "kept";
    });

    // New chat: u2i about the seller's bicycle, from a new buyer named here.
    await page.getByRole("button", { name: "New chat" }).click();
    const dialog = page.getByRole("dialog", { name: "New chat" });
    await soon(() => dialog.getByLabel("Item", { exact: true }).inputValue()).toBe(
      String(h.w.itemId),
    );
    expect(await dialog.getByRole("radio", { name: /u2i/ }).isChecked()).toBe(true);
    expect(await dialog.getByLabel("Buyer", { exact: true }).inputValue()).toBe("new");
    await dialog.getByLabel("New buyer's name").fill("Ирина Соколова");
    await screenshot(page, "new-chat");
    await dialog.getByRole("button", { name: "Open the chat" }).click();
    await soon(() => dialog.count()).toBe(0);

    // The chat opens writing as the buyer, the new account.
    const { body } = await h.api.sandbox<{ accounts: { user_id: number; name: string }[] }>(
      "GET",
      "/accounts",
    );
    const irina = body.accounts.find((account) => account.name === "Ирина Соколова");
    expect(irina).toBeDefined();
    await soon(() => page.url()).toMatch(
      new RegExp(`/inbox/${seller.user_id}/u2i-[^/?]+\\?as=${irina?.user_id}$`),
    );
    const chatId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1) ?? "");
    const writeAs = page.getByRole("radio", { name: "Ирина Соколова" });
    await soon(() => writeAs.isChecked()).toBe(true);
    // The new chat is in the seller's list, with its item.
    const row = page.getByRole("tabpanel").getByRole("link", { name: /Ирина Соколова/ });
    await soon(() => row.textContent()).toContain("Велосипед");

    // The cursor is in the message box already: the user just types.
    const box = page.getByLabel("Message", { exact: true });
    await soon(() => box.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await box.getAttribute("placeholder")).toBe("Message as Ирина Соколова");
    await page.keyboard.type(question);
    await page.keyboard.press("Enter");

    // The bot's answer arrives live, on the seller's side of the seller's inbox.
    const messages = page.getByRole("list", { name: "Messages", exact: true });
    const echo = messages.locator(".message.mine", { hasText: `Эхо: ${question}` });
    await soon(() => echo.count()).toBe(1);
    expect(await messages.locator(".message.theirs", { hasText: question }).count()).toBe(1);
    await soon(() => row.textContent()).toContain(`Эхо: ${question}`);
    expect(bot.problems).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.dataset.testMark === "kept")).toBe(
      true,
    );
    await screenshot(page, "bot-conversation");

    // The messenger API has both, as the bot and the buyer wrote them.
    const stored = await h.api.sandbox<{
      messages: { id: string; author_id: number; content: { text?: string } }[];
    }>("GET", `/chats/${encodeURIComponent(chatId)}/messages`);
    const asked = stored.body.messages.find((m) => m.content.text === question);
    expect(asked?.author_id).toBe(irina?.user_id);
    expect(stored.body.messages.map((m) => m.content.text)).toEqual([question, `Эхо: ${question}`]);

    // The webhook log: the delivery of the buyer's message to the bot, delivered.
    await nav.getByRole("link", { name: "Webhooks" }).click();
    const delivery = page.getByRole("button", {
      name: `Delivery of message ${asked?.id}: delivered`,
    });
    await soon(() => delivery.count()).toBe(1);
    await delivery.click();
    const detail = page.locator(".delivery", { has: delivery });
    await soon(() => detail.getByText("HTTP 200").count()).toBeGreaterThan(0);
    expect(await detail.textContent()).toContain(bot.url);
  });
});
