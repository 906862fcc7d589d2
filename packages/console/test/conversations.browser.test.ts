// The inbox and the chat view in real Chromium against a real Beseda: a buyer's message written
// through the sandbox API shows up live in the seller's inbox with its badge, opening the chat
// leaves it unread and "Mark read" reads it; the seller answers from the console and the buyer's
// view shows it; quote and delete; "Write as" kept in the link; tabs and search; New chat (its
// first field focused); Russian text marked Russian; the phone-sized layout, with a mouse.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type ConsoleHarness,
  DESKTOP,
  PHONE,
  screenshot,
  scrollsSideways,
  startConsole,
  waitUntilLive,
} from "./helpers/console.ts";

/** Polls until the check passes: generous, because two test files share two cores. */
const soon = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000 });

let h: ConsoleHarness;
// Two signed-in pages for the whole file (signing in is the slow part): the seller's and the
// buyer's. Made in the first test that needs them, since signing in polls, which only a test may.
let sellerPage: Page | undefined;
let buyerPage: Page | undefined;

async function sellerView(): Promise<Page> {
  sellerPage ??= await h.signedInPage();
  return sellerPage;
}

async function buyerView(): Promise<Page> {
  buyerPage ??= await h.signedInPage();
  return buyerPage;
}

beforeAll(async () => {
  h = await startConsole();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

interface ListedChat {
  chat_id: string;
  users: { user_id: number; unread_count: number }[];
}

interface ListedMessage {
  id: string;
  type: string;
  author_id: number;
  quote_id: string | null;
  content: { text?: string };
}

async function unreadOf(userId: number, chatId: string): Promise<number | undefined> {
  const { body } = await h.api.sandbox<{ chats: ListedChat[] }>("GET", `/chats?user_id=${userId}`);
  const chat = body.chats.find((c) => c.chat_id === chatId);
  return chat?.users.find((u) => u.user_id === userId)?.unread_count;
}

async function messagesOf(chatId: string): Promise<ListedMessage[]> {
  const { body } = await h.api.sandbox<{ messages: ListedMessage[] }>(
    "GET",
    `/chats/${encodeURIComponent(chatId)}/messages?limit=100`,
  );
  return body.messages;
}

/** Opens a console page and waits until its live connection is up. */
async function open(page: Page, path: string): Promise<void> {
  await page.goto(`${h.server.url}/console${path}`);
  await waitUntilLive(page);
}

/** Marks the document, so that a later check can tell the page was never reloaded. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    document.documentElement.dataset.testMark = "kept";
  });
}

async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.dataset.testMark === "kept");
}

const messagesText = (page: Page) =>
  page.getByRole("list", { name: "Messages", exact: true }).textContent();

describe("conversations in the console", () => {
  test("a buyer's message appears live with an unread badge; opening keeps it unread, Mark read reads it", async () => {
    const { seller, buyer, chatId } = h.w;
    // From a read chat, so that the badge counts this test's message alone.
    await h.api.sandbox("POST", `/chats/${chatId}/read`, { user_id: seller.user_id });

    const page = await sellerView();
    await open(page, `/inbox/${seller.user_id}`);
    const row = page.getByRole("link", { name: /Покупатель/ });
    await soon(() => row.textContent()).toContain("Велосипед");
    expect(await row.textContent()).not.toContain("unread");
    await markDocument(page);

    const sent = await h.api.text(chatId, buyer.user_id, "Можно посмотреть сегодня вечером?");
    await soon(() => row.textContent()).toContain("1 unread");
    expect(await row.textContent()).toContain("Можно посмотреть сегодня вечером?");
    await screenshot(page, "inbox");

    await row.click();
    await soon(() => messagesText(page)).toContain("Можно посмотреть сегодня вечером?");
    await soon(() => page.url()).toContain(`/inbox/${seller.user_id}/${chatId}`);
    // Opening the chat never reads it: give a wrongful read the time to land, then look.
    await page.waitForTimeout(400);
    expect(await unreadOf(seller.user_id, chatId)).toBe(1);
    expect(await row.textContent()).toContain("1 unread");
    expect(await page.locator(`#message-${sent.id} .ticks.read`).count()).toBe(0);

    await page.getByRole("button", { name: "Mark read" }).click();
    await soon(() => row.textContent()).not.toContain("unread");
    expect(await unreadOf(seller.user_id, chatId)).toBe(0);
    // The buyer's message now carries the seller's read mark.
    await soon(() => page.locator(`#message-${sent.id} .ticks.read`).count()).toBe(1);
    expect(await stillSameDocument(page)).toBe(true);
    await screenshot(page, "chat");
  });

  test("the seller answers from the console; the buyer's view shows it live and the messenger API has it", async () => {
    const { seller, buyer, chatId } = h.w;
    // From a read chat, so that the buyer's badge counts the answer alone.
    await h.api.sandbox("POST", `/chats/${chatId}/read`, { user_id: buyer.user_id });
    const sellerPage = await sellerView();
    const buyerPage = await buyerView();
    await open(sellerPage, `/inbox/${seller.user_id}/${chatId}`);
    await open(buyerPage, `/inbox/${buyer.user_id}/${chatId}`);
    await markDocument(buyerPage);

    // Compose writes as the inbox's account unless switched.
    const writeAs = sellerPage.getByRole("radio", { name: "Продавец" });
    await soon(() => writeAs.isChecked()).toBe(true);
    const box = sellerPage.getByLabel("Message", { exact: true });
    await box.fill("Да, приезжайте к семи.");
    await box.press("Shift+Enter");
    await box.pressSequentially("Адрес пришлю.");
    await box.press("Enter");

    const answer = "Да, приезжайте к семи.\nАдрес пришлю.";
    await soon(() => messagesText(buyerPage)).toContain("Адрес пришлю.");
    const buyerRow = buyerPage.getByRole("link", { name: /Продавец/ });
    await soon(() => buyerRow.textContent()).toContain("1 unread");
    expect(await stillSameDocument(buyerPage)).toBe(true);
    expect(await box.inputValue()).toBe("");
    // The seller's own message sits on the right in the seller's inbox, on the left in the buyer's.
    const own = sellerPage.locator(".message.mine", { hasText: "Адрес пришлю." });
    await soon(() => own.count()).toBe(1);
    expect(await buyerPage.locator(".message.theirs", { hasText: "Адрес пришлю." }).count()).toBe(
      1,
    );

    const messages = await h.api.call<{ author_id: number; content: { text?: string } }[]>(
      "getMessagesV3",
      { token: h.w.sellerToken, params: { user_id: seller.user_id, chat_id: chatId } },
    );
    expect(messages.status).toBe(200);
    expect(messages.body).toContainEqual(
      expect.objectContaining({ author_id: seller.user_id, content: { text: answer } }),
    );
  });

  test("a reply quotes its message, and the author deletes their own message", async () => {
    const { seller, buyer, chatId } = h.w;
    const [asked] = (await messagesOf(chatId)).filter((m) => m.author_id === buyer.user_id);
    const page = await sellerView();
    await open(page, `/inbox/${seller.user_id}/${chatId}`);
    const question = page.locator(`#message-${asked?.id}`);
    await soon(() => question.textContent()).toContain("Здравствуйте! Ещё продаётся?");
    // The buyer's message can be answered, but only its author may delete it.
    expect(await question.getByRole("button", { name: "Delete" }).count()).toBe(0);
    await question.getByRole("button", { name: "Reply" }).click();
    await soon(() => page.getByRole("form").textContent()).toContain("Reply to Покупатель");

    const box = page.getByLabel("Message", { exact: true });
    await box.fill("Продаётся, торг уместен");
    await box.press("Enter");
    const reply = page.locator(".message.mine", { hasText: "Продаётся, торг уместен" });
    await soon(() => reply.locator(".quote").textContent()).toContain("Ещё продаётся?");
    // The reply comes back on the event stream, sometimes before the send's own answer, which is
    // what clears the form: so the form is waited for too.
    await soon(() => page.getByRole("form").textContent()).not.toContain("Reply to");

    const stored = (await messagesOf(chatId)).find((m) => m.content.text?.startsWith("Продаётся"));
    expect(stored?.quote_id).toBe(asked?.id);

    // Delete, confirmed in a dialog that Escape closes without deleting.
    await reply.hover();
    await reply.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete the message" });
    await soon(() => dialog.isVisible()).toBe(true);
    await page.keyboard.press("Escape");
    await soon(() => dialog.count()).toBe(0);
    await reply.getByRole("button", { name: "Delete" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await soon(() => dialog.count()).toBe(0);
    const deleted = page.locator(`#message-${stored?.id}`);
    await soon(() => deleted.textContent()).toContain("Сообщение удалено");
    expect(await deleted.textContent()).not.toContain("Продаётся, торг уместен");
    const after = (await messagesOf(chatId)).find((m) => m.id === stored?.id);
    expect(after?.type).toBe("deleted");

    // As the buyer (Write as), the buyer's own message gets its Delete; the link says so, and a
    // reload keeps writing as the buyer. Back to the seller, the link drops it.
    await page.getByRole("radio", { name: "Покупатель" }).check();
    await soon(() => question.getByRole("button", { name: "Delete" }).count()).toBe(1);
    await soon(() => new URL(page.url()).searchParams.get("as")).toBe(String(buyer.user_id));
    await page.reload();
    await soon(() => page.getByRole("radio", { name: "Покупатель" }).isChecked()).toBe(true);
    await soon(() => question.getByRole("button", { name: "Delete" }).count()).toBe(1);
    await page.getByRole("radio", { name: "Продавец" }).check();
    await soon(() => new URL(page.url()).search).toBe("");
    expect(await question.getByRole("button", { name: "Delete" }).count()).toBe(0);
  });

  test("Russian text is marked Russian on the English page: messages, previews, names, items", async () => {
    const { seller, chatId } = h.w;
    const page = await sellerView();
    await open(page, `/inbox/${seller.user_id}/${chatId}`);
    const langOf = (locator: ReturnType<Page["locator"]>) =>
      locator.evaluate((element) => element.closest("[lang]")?.getAttribute("lang"));
    const list = page.getByRole("list", { name: "Messages", exact: true });
    await soon(() => list.locator(".message-text").count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    expect(await langOf(list.locator(".message-text").first())).toBe("ru");
    expect(await langOf(page.getByRole("heading", { name: "Покупатель" }))).toBe("ru");
    expect(await langOf(page.locator(".chat-item-title"))).toBe("ru");
    const row = page.getByRole("tabpanel").getByRole("link", { name: /Покупатель/ });
    expect(await langOf(row.getByText("Покупатель", { exact: true }))).toBe("ru");
    expect(await langOf(row.getByText("Велосипед", { exact: false }).first())).toBe("ru");
    expect(await langOf(row.locator(".chat-row-preview > span").last())).toBe("ru");
    const writeAs = page.getByRole("group", { name: "Write as" });
    expect(await langOf(writeAs.getByText("Продавец", { exact: true }))).toBe("ru");
    // What the console itself says stays English.
    expect(await langOf(page.getByRole("button", { name: "Mark read" }))).toBe("en");
  });

  test("tabs narrow by chat type; search finds by text in any case and by person", async () => {
    const { seller, stranger } = h.w;
    const { chat_id: u2u } = await h.api.openChat({
      type: "u2u",
      user_ids: [seller.user_id, stranger.user_id],
    });
    await h.api.text(u2u, stranger.user_id, "Привет! Вы ещё СДАЁТЕ гараж?");
    const page = await sellerView();
    await open(page, `/inbox/${seller.user_id}`);
    const rows = page.getByRole("tabpanel").getByRole("link");
    await soon(() => rows.count()).toBe(2);

    await page.getByRole("tab", { name: "u2u" }).click();
    await soon(() => rows.allTextContents()).toEqual([expect.stringContaining("Посторонний")]);
    // Arrow keys move between the tabs.
    await page.getByRole("tab", { name: "u2u" }).press("ArrowLeft");
    await soon(() => rows.allTextContents()).toEqual([expect.stringContaining("Покупатель")]);
    await page.getByRole("tab", { name: "All" }).click();
    await soon(() => rows.count()).toBe(2);

    await page.getByLabel("Search messages").fill("сдаёте");
    await soon(() => rows.allTextContents()).toEqual([expect.stringContaining("Посторонний")]);
    await page.getByLabel("Search messages").fill("");
    await page.getByLabel("Search by person").fill("покупа");
    await soon(() => rows.allTextContents()).toEqual([expect.stringContaining("Покупатель")]);
    await page.getByLabel("Search by person").fill(String(stranger.user_id));
    await soon(() => rows.allTextContents()).toEqual([expect.stringContaining("Посторонний")]);
    await page.getByLabel("Search by person").fill("никого такого нет");
    await soon(() => page.getByRole("tabpanel").textContent()).toContain("No chats match");
  });

  test("/inbox picks an account by its unread total and comes back to the last one opened", async () => {
    const { seller } = h.w;
    const page = await sellerView();
    // As a first visit: nothing remembered yet.
    await page.evaluate(() => localStorage.clear());
    await open(page, "/inbox");
    const accounts = page.getByRole("list", { name: "Accounts" });
    const sellerLink = accounts.getByRole("link", { name: /Продавец/ });
    await soon(() => sellerLink.textContent()).toContain(`user_id ${seller.user_id}`);
    const unread = await unreadOf(seller.user_id, h.w.chatId);
    const others = (
      await h.api.sandbox<{ chats: ListedChat[] }>("GET", `/chats?user_id=${seller.user_id}`)
    ).body.chats.reduce(
      (sum, chat) =>
        sum + (chat.users.find((u) => u.user_id === seller.user_id)?.unread_count ?? 0),
      0,
    );
    expect(others).toBeGreaterThanOrEqual(unread ?? 0);
    if (others > 0) {
      await soon(() => sellerLink.textContent()).toContain(`${others} unread`);
    }
    await screenshot(page, "inbox-picker");
    await sellerLink.click();
    await soon(() => page.url()).toMatch(new RegExp(`/inbox/${seller.user_id}$`));

    // The section's link goes straight back to that inbox; "Switch account" shows the picker.
    await page
      .getByRole("navigation", { name: "Sections" })
      .getByRole("link", { name: "Inbox" })
      .click();
    await soon(() => page.url()).toMatch(new RegExp(`/inbox/${seller.user_id}$`));
    await page.getByRole("link", { name: "Switch account" }).click();
    await soon(() => sellerLink.textContent()).toContain("last opened");
  });

  test("New chat: a refused name is shown at its field; an existing pair opens its chat as the other side; u2u with a new account", async () => {
    const { seller, buyer, chatId } = h.w;
    const page = await sellerView();
    await open(page, `/inbox/${seller.user_id}`);
    const newChat = page.getByRole("button", { name: "New chat" });
    const dialog = page.getByRole("dialog", { name: "New chat" });
    const accountCount = async () =>
      (await h.api.sandbox<{ accounts: unknown[] }>("GET", "/accounts")).body.accounts.length;
    const accountsBefore = await accountCount();

    // It opens at its first field (not its × button); Escape closes it, and focus goes back to
    // the button.
    await newChat.click();
    await soon(() => dialog.getByLabel("Buyer", { exact: true }).count()).toBe(1);
    await soon(() =>
      dialog
        .getByRole("radio", { name: /u2i/ })
        .evaluate((radio) => radio === document.activeElement),
    ).toBe(true);
    await page.keyboard.press("Escape");
    await soon(() => dialog.count()).toBe(0);
    expect(await newChat.evaluate((button) => button === document.activeElement)).toBe(true);

    // A name of spaces passes the browser's `required` but not the API: its answer is shown at
    // the field, and nothing is made.
    await newChat.click();
    const name = dialog.getByLabel("New buyer's name");
    await name.fill("   ");
    await dialog.getByRole("button", { name: "Open the chat" }).click();
    await soon(() => name.getAttribute("aria-invalid")).toBe("true");
    expect(await dialog.getByRole("alert").textContent()).toContain("name");
    expect(await accountCount()).toBe(accountsBefore);

    // The world's buyer already has a chat about the bicycle: it opens (200), writing as the buyer.
    await dialog.getByLabel("Buyer", { exact: true }).selectOption(String(buyer.user_id));
    await dialog.getByRole("button", { name: "Open the chat" }).click();
    await soon(() => page.url()).toContain(
      `/inbox/${seller.user_id}/${chatId}?as=${buyer.user_id}`,
    );
    expect(await dialog.count()).toBe(0);
    await soon(() => page.getByRole("radio", { name: "Покупатель" }).isChecked()).toBe(true);
    expect(await page.getByLabel("Message", { exact: true }).getAttribute("placeholder")).toBe(
      "Message as Покупатель",
    );

    // u2u with a new account: made, and the chat opens writing as it.
    await newChat.click();
    await dialog.getByRole("radio", { name: /u2u/ }).check();
    expect(await dialog.getByLabel("Item", { exact: true }).count()).toBe(0);
    await dialog.getByLabel("New account's name").fill("Мария Иванова");
    await dialog.getByRole("button", { name: "Open the chat" }).click();
    await soon(() => page.url()).toMatch(
      new RegExp(`/inbox/${seller.user_id}/u2u-[^/?]+\\?as=\\d+$`),
    );
    await soon(() => page.getByRole("radio", { name: "Мария Иванова" }).isChecked()).toBe(true);
    expect(await accountCount()).toBe(accountsBefore + 1);
    // Still empty, the chat is listed all the same.
    const row = page.getByRole("tabpanel").getByRole("link", { name: /Мария Иванова/ });
    await soon(() => row.count()).toBe(1);
    expect(await page.getByRole("heading", { name: "Мария Иванова" }).count()).toBe(1);

    // On a phone the dialog fits the width.
    await page.setViewportSize(PHONE);
    await open(page, `/inbox/${seller.user_id}`);
    await newChat.click();
    await soon(() => dialog.getByLabel("Item", { exact: true }).count()).toBe(1);
    expect(await scrollsSideways(page)).toBe(false);
    const box = await dialog.boundingBox();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= PHONE.width).toBe(true);
    await screenshot(page, "new-chat-phone");
    await page.keyboard.press("Escape");
    await page.setViewportSize(DESKTOP);
  });

  test("on a phone the inbox and the chat fit the width, and the chat can be written in", async () => {
    const { seller, chatId } = h.w;
    const page = await sellerView();
    await page.setViewportSize(PHONE);
    await open(page, `/inbox/${seller.user_id}`);
    const row = page.getByRole("link", { name: /Покупатель/ });
    await soon(() => row.isVisible()).toBe(true);
    expect(await scrollsSideways(page)).toBe(false);
    await screenshot(page, "inbox-phone");

    await row.click();
    await soon(() => page.url()).toContain(`/inbox/${seller.user_id}/${chatId}`);
    const box = page.getByLabel("Message", { exact: true });
    await soon(() => box.isVisible()).toBe(true);
    // Only the chat shows, and compose sits inside the screen.
    expect(await row.isVisible()).toBe(false);
    // With a mouse (a pointer that hovers, as Playwright's is) as much as with a finger: the
    // messages do not scroll sideways, and every message's Reply and Delete sit on the screen.
    await soon(() => page.locator(".message-actions button").count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => matchMedia("(hover: hover)").matches)).toBe(true);
    const scroller = page.locator(".message-scroller");
    expect(await scroller.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    for (const button of await page.locator(".message-actions button").all()) {
      const at = await button.boundingBox();
      expect(at && at.x >= 0 && at.x + at.width <= PHONE.width).toBe(true);
    }
    const place = await box.boundingBox();
    expect(place).not.toBeNull();
    expect((place?.y ?? 0) + (place?.height ?? 0)).toBeLessThanOrEqual(PHONE.height);
    expect(await scrollsSideways(page)).toBe(false);

    await box.fill("С телефона: договорились!");
    await page.getByRole("button", { name: "Send" }).click();
    await soon(() => messagesText(page)).toContain("С телефона: договорились!");
    expect(await scrollsSideways(page)).toBe(false);
    const own = page.locator(".message.mine", { hasText: "С телефона: договорились!" });
    const remove = await own.getByRole("button", { name: "Delete" }).boundingBox();
    expect(remove && remove.x >= 0 && remove.x + remove.width <= PHONE.width).toBe(true);
    expect(await scroller.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await screenshot(page, "chat-phone");

    await page.getByRole("link", { name: "Back to the chats" }).click();
    await soon(() => row.isVisible()).toBe(true);
  });
});
