// The chat view's media, message types and paging in real Chromium against a real Beseda: a photo
// and a voice file uploaded from compose render, open large and play; a location sent from
// compose (Enter sends only a complete one, and once); a refused upload shows the API's error;
// every other type drawn as a person expects
// it; a long chat loads older pages and a long inbox loads more chats; a page's voice links come
// in one call, and an expired one is renewed.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { encodeBmp, postMultipart } from "../../server/test/helpers/media.ts";
import { type ConsoleHarness, screenshot, startConsole, waitUntilLive } from "./helpers/console.ts";

const VOICE_SAMPLE = fileURLToPath(
  new URL("../../server/assets/voice-sample.mp4", import.meta.url),
);

/** Polls until the check passes: generous, because two test files share two cores. */
const soon = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 10_000 });

let h: ConsoleHarness;
/** One signed-in page for the whole file (signing in polls, which only a test may do). */
let page: Page;

beforeAll(async () => {
  h = await startConsole();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

interface ListedMessage {
  id: string;
  type: string;
  content: { image?: { sizes: Record<string, string> }; voice?: { voice_id: string } };
}

async function newest(chatId: string): Promise<ListedMessage | undefined> {
  const { body } = await h.api.sandbox<{ messages: ListedMessage[] }>(
    "GET",
    `/chats/${encodeURIComponent(chatId)}/messages?limit=1`,
  );
  return body.messages[0];
}

async function locationsIn(chatId: string): Promise<number> {
  const { body } = await h.api.sandbox<{ messages: ListedMessage[] }>(
    "GET",
    `/chats/${encodeURIComponent(chatId)}/messages?limit=500`,
  );
  return body.messages.filter((message) => message.type === "location").length;
}

async function openChat(userId: number, chatId: string): Promise<void> {
  page ??= await h.signedInPage();
  await page.goto(`${h.server.url}/console/inbox/${userId}/${chatId}`);
  await waitUntilLive(page);
}

describe("media and message types in the chat view", () => {
  test("a photo uploaded from compose renders, and a click opens its large size", async () => {
    const { seller, chatId } = h.w;
    await openChat(seller.user_id, chatId);
    const photo = encodeBmp(320, 240, (x, y) => [x % 256, (y * 2) % 256, 160]);
    await page
      .getByLabel("Photo", { exact: true })
      .setInputFiles({ name: "bike.bmp", mimeType: "image/bmp", buffer: photo });

    await soon(async () => (await newest(chatId))?.type).toBe("image");
    const sent = await newest(chatId);
    const image = page.locator(`#message-${sent?.id} img`);
    await soon(() =>
      image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
    ).toBeGreaterThan(0);
    // The bubble shows a middle size, not the largest.
    expect(await image.getAttribute("src")).toBe(sent?.content.image?.sizes["640x480"]);

    await page.getByRole("button", { name: "Фото: open large" }).click();
    const dialog = page.getByRole("dialog", { name: "Фото" });
    const large = dialog.getByRole("img");
    await soon(() =>
      large.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
    ).toBe(320);
    expect(await large.getAttribute("src")).toBe(sent?.content.image?.sizes["1280x960"]);
    await page.keyboard.press("Escape");
    await soon(() => dialog.count()).toBe(0);
    // Focus goes back to the photo that opened it; its Close button closes it too.
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
    await soon(focused).toBe("Фото: open large");
    await page.keyboard.press("Enter");
    await soon(() => dialog.count()).toBe(1);
    await dialog.getByRole("button", { name: "Close" }).click();
    await soon(() => dialog.count()).toBe(0);
    await soon(focused).toBe("Фото: open large");
  });

  test("a voice file uploaded from compose plays from its signed link", async () => {
    const { buyer, chatId } = h.w;
    await openChat(buyer.user_id, chatId);
    await page.getByLabel("Voice file", { exact: true }).setInputFiles({
      name: "voice.mp4",
      mimeType: "audio/mp4",
      buffer: readFileSync(VOICE_SAMPLE),
    });
    await soon(async () => (await newest(chatId))?.type).toBe("voice");
    const sent = await newest(chatId);
    const audio = page.locator(`#message-${sent?.id} audio`);
    await soon(() => audio.getAttribute("src")).toMatch(/signature=/);

    const link = (await audio.getAttribute("src")) ?? "";
    const file = await fetch(link);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toMatch(/^audio\//);

    await soon(() => audio.evaluate((a: HTMLAudioElement) => a.readyState)).toBeGreaterThanOrEqual(
      1,
    );
    expect(await audio.evaluate((a: HTMLAudioElement) => a.duration)).toBeGreaterThan(0);
    await audio.evaluate(async (a: HTMLAudioElement) => {
      a.muted = true;
      await a.play();
    });
    // Time moves once the audio clock runs, which a loaded machine starts late: poll, not sleep.
    await soon(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime)).toBeGreaterThan(0);
    await audio.evaluate((a: HTMLAudioElement) => a.pause());
    await screenshot(page, "chat-media");
  });

  test("a location goes out from compose; a refused one and a refused upload show the API's error", async () => {
    const { seller, chatId } = h.w;
    await openChat(seller.user_id, chatId);
    await page.getByRole("button", { name: "Location" }).click();
    await page.getByLabel("Latitude").fill("95");
    await page.getByLabel("Longitude").fill("37.6173");
    await page.getByRole("button", { name: "Send location" }).click();
    const alert = page.getByRole("form", { name: "Write a message" }).getByRole("alert");
    await soon(() => alert.textContent()).toContain("lat");
    expect(await alert.locator("code").count()).toBeGreaterThan(0);

    await page.getByLabel("Latitude").fill("55.7539");
    await page.getByLabel("Title (optional)").fill("Красная площадь");
    await page.getByRole("button", { name: "Send location" }).click();
    const shown = page.locator(".message", { hasText: "Красная площадь" });
    await soon(() => shown.count()).toBe(1);
    expect(await alert.count()).toBe(0);
    expect(
      await shown.getByRole("link", { name: "Open in Yandex Maps" }).getAttribute("href"),
    ).toContain("pt=37.6173,55.7539");

    await page
      .getByLabel("Photo", { exact: true })
      .setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("нет") });
    await soon(() => alert.textContent()).toContain("uploadfile[]");
  });

  test("Enter in the location form sends only a complete location, and only once", async () => {
    const { seller, chatId } = h.w;
    await openChat(seller.user_id, chatId);
    const before = await locationsIn(chatId);
    await page.getByRole("button", { name: "Location" }).click();
    const latitude = page.getByLabel("Latitude");
    const longitude = page.getByLabel("Longitude");
    // Empty fields read as 0: Enter must not send a location at (0, 0).
    await latitude.press("Enter");
    await longitude.fill("30.3158");
    await longitude.press("Enter");
    await page.waitForTimeout(500);
    expect(await locationsIn(chatId)).toBe(before);
    expect(await page.getByRole("button", { name: "Send location" }).isDisabled()).toBe(true);

    // Two Enters at once, before the page can draw the first send as running: one location.
    await latitude.fill("59.9398");
    await longitude.evaluate((input) => {
      for (let i = 0; i < 2; i++) {
        input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      }
    });
    await soon(() => locationsIn(chatId)).toBe(before + 1);
    await page.waitForTimeout(500);
    expect(await locationsIn(chatId)).toBe(before + 1);
    await soon(() => page.getByLabel("Latitude").count()).toBe(0);
  });

  test("every other type is drawn as a person expects it, with a line for each day", async () => {
    const { seller, stranger } = h.w;
    const { chat_id: chatId } = await h.api.openChat({
      type: "u2u",
      user_ids: [seller.user_id, stranger.user_id],
    });
    const s = stranger.user_id;
    await h.api.text(chatId, s, "Вчерашнее сообщение");
    await h.api.advanceClock(86_400);
    await h.api.post(chatId, s, "link", {
      link: {
        url: "https://example.ru/garage",
        text: "Объявление про гараж",
        preview: { title: "Гараж у метро", domain: "example.ru", description: "18 м², охрана" },
      },
    });
    await h.api.post(chatId, s, "item", {
      item: {
        title: "Гараж 18 м²",
        item_url: "https://www.avito.ru/moskva/garazhi/1",
        price_string: "1 200 000 ₽",
      },
    });
    await h.api.post(chatId, s, "call", {
      call: { status: "missed", target_user_id: seller.user_id },
    });
    await h.api.post(chatId, s, "system", { text: "Бот подключён", flow_id: "greeting-flow" });
    for (const type of ["video", "file", "appCall"]) await h.api.post(chatId, s, type, {});

    await openChat(seller.user_id, chatId);
    const list = page.getByRole("list", { name: "Messages", exact: true });
    await soon(() => list.textContent()).toContain("Звонок в приложении");
    const text = (await list.textContent()) ?? "";
    for (const expected of [
      "Вчерашнее сообщение",
      "Гараж у метро",
      "18 м², охрана",
      "1 200 000 ₽",
      "Пропущенный звонок",
      "Бот подключён",
      "greeting-flow",
      "Видео",
      "Файл",
    ]) {
      expect(text).toContain(expected);
    }
    expect(
      await list.getByRole("link", { name: "Объявление про гараж" }).getAttribute("href"),
    ).toBe("https://example.ru/garage");
    expect(await list.getByRole("link", { name: "Гараж 18 м²" }).getAttribute("href")).toBe(
      "https://www.avito.ru/moskva/garazhi/1",
    );
    expect(await list.locator(".day-line").count()).toBe(2);
    await screenshot(page, "chat-types");
  });

  test("a long chat opens at its newest page and loads older ones, keeping the reader's place", async () => {
    const { buyer, stranger } = h.w;
    const { chat_id: chatId } = await h.api.openChat({
      type: "u2u",
      user_ids: [buyer.user_id, stranger.user_id],
    });
    for (let i = 1; i <= 60; i++) {
      await h.api.text(chatId, i % 2 ? stranger.user_id : buyer.user_id, `Сообщение №${i}`);
    }
    await openChat(buyer.user_id, chatId);
    const list = page.getByRole("list", { name: "Messages", exact: true });
    await soon(() => list.textContent()).toContain("Сообщение №60");
    // The newest page holds the last 50 (11..60), and the view starts at the bottom.
    expect(await list.locator(".message").count()).toBe(50);
    expect(await list.textContent()).not.toContain("Сообщение №10 ");
    const scroller = page.locator(".message-scroller");
    const atEnd = () =>
      scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2);
    expect(await atEnd()).toBe(true);

    await page.getByRole("button", { name: "Load older messages" }).click();
    await soon(() => list.locator(".message").count()).toBe(60);
    expect((await list.locator(".message").first().textContent()) ?? "").toContain("Сообщение №1");
    expect(await page.getByRole("button", { name: "Load older messages" }).count()).toBe(0);
    // What was on screen stays on screen: the view did not jump to the top.
    expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(100);
  });

  test("a long inbox shows a page of chats and loads more", async () => {
    const { stranger } = h.w;
    for (let i = 1; i <= 31; i++) {
      const client = await h.api.createAccount(`Клиент ${i}`);
      const { chat_id } = await h.api.openChat({
        type: "u2u",
        user_ids: [stranger.user_id, client.user_id],
      });
      await h.api.text(chat_id, client.user_id, `Вопрос клиента ${i}`);
    }
    page ??= await h.signedInPage();
    await page.goto(`${h.server.url}/console/inbox/${stranger.user_id}`);
    const rows = page.getByRole("tabpanel").getByRole("link");
    await soon(() => rows.count()).toBe(30);
    await page.getByRole("button", { name: "Load more" }).click();
    const total = (
      await h.api.sandbox<{ chats: unknown[] }>("GET", `/chats?user_id=${stranger.user_id}`)
    ).body.chats.length;
    await soon(() => rows.count()).toBe(total);
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);
  });

  // Last in the file: it moves the sandbox clock on by two hours.
  test("a page's voice links come in one call; an expired link is asked for again and plays", async () => {
    const { buyer, stranger } = h.w;
    const { chat_id: chatId } = await h.api.openChat({
      type: "u2u",
      user_ids: [buyer.user_id, stranger.user_id],
    });
    for (const author of [stranger.user_id, buyer.user_id, stranger.user_id]) {
      const upload = await postMultipart<{ voice_id: string }>(
        `${h.server.url}/sandbox/v1/voices`,
        h.server.adminToken,
        [{ field: "file", bytes: readFileSync(VOICE_SAMPLE), filename: "voice.mp4" }],
      );
      expect(upload.status, upload.text).toBe(201);
      await h.api.post(chatId, author, "voice", { voice: { voice_id: upload.body.voice_id } });
    }

    page ??= await h.signedInPage();
    // What the browser itself keeps would hide an expired link: it asks the server each time.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const asked: URL[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === "/sandbox/v1/voices") asked.push(url);
    });
    await openChat(buyer.user_id, chatId);
    const players = page.locator(".message audio");
    const signed = () =>
      players.evaluateAll(
        (list) => list.filter((a) => a.getAttribute("src")?.includes("signature=")).length,
      );
    await soon(signed).toBe(3);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.searchParams.get("voice_ids")?.split(",")).toHaveLength(3);

    // Two hours of the sandbox clock later the links have expired; a player that loads again
    // gets a fresh one, alone, and plays it.
    const first = players.first();
    const old = (await first.getAttribute("src")) ?? "";
    await h.api.advanceClock(7200);
    expect((await fetch(old)).status).toBe(403);
    await first.evaluate((audio: HTMLAudioElement) => audio.load());
    await soon(() => first.getAttribute("src")).not.toBe(old);
    await soon(() => first.getAttribute("src")).toMatch(/signature=/);
    expect(asked).toHaveLength(2);
    expect(asked[1]?.searchParams.get("voice_ids")?.split(",")).toHaveLength(1);
    expect((await fetch((await first.getAttribute("src")) ?? "")).status).toBe(200);
    await soon(() => first.evaluate((a: HTMLAudioElement) => a.readyState)).toBeGreaterThanOrEqual(
      1,
    );
    expect(await page.locator(".message-voice").getByRole("alert").count()).toBe(0);
    await cdp.detach();
  });
});
