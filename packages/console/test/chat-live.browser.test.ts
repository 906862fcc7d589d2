// Live changes against the races a real connection has, in real Chromium against a real Beseda:
// a message written while the chat's history is still on its way, a bot's answer that comes on
// the heels of the console's own message, and an inbox text search that must not be run again
// for every event anywhere (each one reads every message of the account on the server). The
// history's answer is held back with Playwright's routing (the real answer, delivered late).
import type { Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ConsoleHarness, startConsole, waitUntilLive } from "./helpers/console.ts";

/** Polls until the check passes: generous, because two test files share two cores. */
const soon = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000 });
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise with its resolve, for handing a moment from the test to a route handler. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const HISTORY = "**/sandbox/v1/chats/*/messages*";

/**
 * From now on the chat's history is read from the server at once, as asked, but delivered to the
 * page only when released: `fetched` says it was read. `stop` releases it and ends the routing.
 */
async function holdHistory(on: Page) {
  const fetched = signal();
  const released = signal();
  await on.route(HISTORY, async (route: Route) => {
    if (route.request().method() !== "GET") return route.fallback();
    const response = await route.fetch();
    fetched.resolve();
    await released.promise;
    await route.fulfill({ response });
  });
  return {
    fetched: fetched.promise,
    release: released.resolve,
    stop: async () => {
      released.resolve();
      await on.unroute(HISTORY);
    },
  };
}

let h: ConsoleHarness;
let page: Page;
/** A u2u chat of the seller and the buyer of this file's own, so other tests' messages don't count. */
let chatId: string;

beforeAll(async () => {
  h = await startConsole();
  const { seller, buyer } = h.w;
  ({ chat_id: chatId } = await h.api.openChat({
    type: "u2u",
    user_ids: [seller.user_id, buyer.user_id],
  }));
  await h.api.text(chatId, buyer.user_id, "Первое: есть ли доставка?");
  await h.api.text(chatId, seller.user_id, "Второе: да, по городу.");
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Opens a console page and waits until its live connection is up. */
async function open(path: string): Promise<void> {
  page ??= await h.signedInPage();
  await page.goto(`${h.server.url}/console${path}`);
  await waitUntilLive(page);
}

const texts = () =>
  page
    .getByRole("list", { name: "Messages", exact: true })
    .locator(".message-text")
    .allTextContents();

describe("live changes in the chat view and the inbox", () => {
  test("a message written while the chat's history is on its way shows once, in its place", async () => {
    const { seller, buyer } = h.w;
    await open(`/inbox/${seller.user_id}`);
    const row = page
      .getByRole("tabpanel")
      .getByRole("link", { name: /Покупатель/ })
      .filter({
        hasText: "u2u",
      });
    await soon(() => row.count()).toBe(1);

    // The history is read now, before the buyer writes, and delivered only after.
    const history = await holdHistory(page);
    await row.click();
    await history.fetched;
    await h.api.text(chatId, buyer.user_id, "Третье: пока грузилось");
    // The list shows it: the event reached the page while the history was held.
    await soon(() => row.textContent()).toContain("Третье: пока грузилось");
    await pause(300);
    history.release();

    await soon(texts).toEqual([
      "Первое: есть ли доставка?",
      "Второе: да, по городу.",
      "Третье: пока грузилось",
    ]);
    await history.stop();
  });

  test("the console's message and a bot's answer right after it show in order, at the bottom", async () => {
    const { seller, buyer } = h.w;
    await open(`/inbox/${seller.user_id}/${encodeURIComponent(chatId)}`);
    await soon(texts).toContain("Третье: пока грузилось");

    // Any history asked for after the send is read at once and held until the answer is shown.
    const history = await holdHistory(page);
    const posted = page.waitForResponse(
      (response) => response.url().includes("/messages") && response.request().method() === "POST",
    );
    const box = page.getByLabel("Message", { exact: true });
    await box.fill("ONE: приезжайте");
    await box.press("Enter");
    await posted;
    await Promise.race([history.fetched, pause(1000)]);
    await h.api.text(chatId, buyer.user_id, "TWO: еду");
    await soon(texts).toContain("TWO: еду");
    history.release();
    // Time for a late page to land and be merged.
    await pause(800);

    const shown = await texts();
    expect(shown.slice(-2)).toEqual(["ONE: приезжайте", "TWO: еду"]);
    expect(shown.filter((text) => text === "ONE: приезжайте")).toHaveLength(1);
    expect(shown.filter((text) => text === "TWO: еду")).toHaveLength(1);
    const atEnd = await page
      .locator(".message-scroller")
      .evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2);
    expect(atEnd).toBe(true);
    await history.stop();
  });

  test("a text search follows only the chats it found; a person search stays live", async () => {
    const { seller, buyer, stranger } = h.w;
    const { chat_id: garage } = await h.api.openChat({
      type: "u2u",
      user_ids: [seller.user_id, stranger.user_id],
    });
    await h.api.text(garage, stranger.user_id, "Ищу жирафа для фотосессии");
    await open(`/inbox/${seller.user_id}`);
    const searches: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/sandbox/v1/chats" && url.searchParams.has("text")) {
        searches.push(url.search);
      }
    });
    const rows = page.getByRole("tabpanel").getByRole("link");
    await page.getByLabel("Search messages").fill("жираф");
    await soon(() => rows.allTextContents()).toEqual([expect.stringContaining("Посторонний")]);
    await pause(500);
    const asked = searches.length;
    expect(asked).toBeGreaterThan(0);
    expect(await page.getByRole("button", { name: "Search again" }).count()).toBe(1);

    // A message in a chat the search did not find: not searched again.
    await h.api.text(chatId, buyer.user_id, "Сообщение в другом чате");
    await pause(800);
    expect(searches).toHaveLength(asked);

    // One in the chat it found: searched again, once, and the row shows it.
    await h.api.text(garage, stranger.user_id, "Жираф нашёлся?");
    await soon(() => rows.first().textContent()).toContain("Жираф нашёлся?");
    await pause(500);
    expect(searches).toHaveLength(asked + 1);

    // "Search again" finds what matches since.
    await h.api.text(chatId, buyer.user_id, "А жираф у вас есть?");
    await page.getByRole("button", { name: "Search again" }).click();
    await soon(() => rows.count()).toBe(2);

    // A person search follows every change, as the plain list does.
    await page.getByLabel("Search messages").fill("");
    await page.getByLabel("Search by person").fill("Посторонний");
    await soon(() => rows.allTextContents()).toEqual([expect.stringContaining("Посторонний")]);
    await h.api.text(garage, stranger.user_id, "Без поиска по тексту");
    await soon(() => rows.first().textContent()).toContain("Без поиска по тексту");
  });
});
