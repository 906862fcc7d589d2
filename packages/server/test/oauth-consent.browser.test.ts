// The consent page in a real browser: Debian's Chromium, driven by playwright-core, against a real
// Beseda and a local receiver standing in for the app's redirect URI. Approve: choose the account,
// click, land on the receiver with code and state, exchange the code, call an operation with the
// token. Deny: land there with error=access_denied and the state. A bad request stays on Beseda's
// error page. No JavaScript is needed by the page; none runs on it (its CSP allows none).
//
// Chromium is required, not optional: without it this file fails and says how to install it.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Credentials, TestApi } from "./helpers/api.ts";
import { launchChromium } from "./helpers/chromium.ts";
import { type Receiver, startReceiver } from "./helpers/receiver.ts";
import { startTestServer, type TestServer } from "./helpers/test-server.ts";
import { makeWorld, type World } from "./helpers/world.ts";

/** Characters that need encoding on the way there and back, and some that need escaping. */
const STATE = "csrf 42/ü&x=<y>\"'#";

let server: TestServer;
let api: TestApi;
let w: World;
let receiver: Receiver;
let browser: Browser;
let app: Credentials & { redirect_uris: string[] };
let redirectUri: string;

beforeAll(async () => {
  browser = await launchChromium("the consent page's browser tests");
  server = await startTestServer();
  api = new TestApi(server.url, server.adminToken);
  w = await makeWorld(api);
  receiver = await startReceiver({
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8" },
    body: "<!doctype html><title>The app</title><p>Signed in.</p>",
  });
  // The receiver's own query is part of the registered URI and must come back untouched.
  redirectUri = `${receiver.url}?app=crm&v=a%20b`;
  const created = await api.sandbox<typeof app>("POST", "/accounts", {
    name: "CRM «Лиды»",
    redirect_uris: [redirectUri],
  });
  expect(created.status, created.text).toBe(201);
  app = created.body;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await server?.stop();
});

function consentUrl(overrides: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: app.client_id,
    scope: "messenger:read,messenger:write",
    state: STATE,
    redirect_uri: redirectUri,
    ...overrides,
  });
  return `${server.url}/oauth?${query}`;
}

/** Opens the consent page in a fresh page (no state shared between tests). */
async function openConsent(url: string): Promise<Page> {
  const page = await browser.newPage();
  const response = await page.goto(url);
  expect(response?.status()).toBe(200);
  return page;
}

/** What reached the redirect URI's path (not, say, the browser asking for a favicon). */
function callbacks() {
  const path = new URL(receiver.url).pathname;
  return receiver.received.filter((r) => r.path.startsWith(`${path}?`));
}

/** The query the receiver was sent to, as the browser requested it. */
function arrivedQuery(page: Page): URLSearchParams {
  const arrived = new URL(page.url());
  expect(`${arrived.origin}${arrived.pathname}`).toBe(receiver.url);
  return arrived.searchParams;
}

describe("in Chromium", () => {
  test("approve: the receiver gets code and state; the code buys a token that works", async () => {
    const page = await openConsent(consentUrl());
    await expect(page.locator("h1").textContent()).resolves.toContain("CRM «Лиды»");
    await expect(page.locator("main").textContent()).resolves.toContain(app.client_id);
    await expect(page.locator("main").textContent()).resolves.toContain(
      "Чтение сообщений в мессенджере Авито",
    );

    const before = callbacks().length;
    await page.selectOption("select[name=user_id]", String(w.seller.user_id));
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(receiver.url)),
      page.click("button[value=approve]"),
    ]);
    const query = arrivedQuery(page);
    const code = query.get("code");
    expect(code).toEqual(expect.any(String));
    expect(query.get("state")).toBe(STATE);
    expect(query.get("app")).toBe("crm");
    expect(query.get("v")).toBe("a b");
    await expect(page.locator("p").textContent()).resolves.toBe("Signed in.");
    // The receiver itself saw the same request.
    expect(callbacks().length).toBe(before + 1);
    const seen = new URL(callbacks().at(-1)?.path ?? "", receiver.url).searchParams;
    expect(seen.get("code")).toBe(code);
    expect(seen.get("state")).toBe(STATE);
    await page.close();

    const token = await api.request<{ access_token: string; scope: string }>("POST", "/token", {
      form: {
        grant_type: "authorization_code",
        client_id: app.client_id,
        client_secret: app.client_secret,
        code: code ?? "",
        redirect_uri: redirectUri,
      },
    });
    expect(token.status, token.text).toBe(200);
    expect(token.body.scope).toBe("messenger:read,messenger:write");
    const chats = await api.call<{ chats: { id: string }[] }>("getChatsV2", {
      token: token.body.access_token,
      params: { user_id: w.seller.user_id },
    });
    expect(chats.status).toBe(200);
    expect(chats.body.chats.map((c) => c.id)).toContain(w.chatId);
  });

  test("deny: the receiver gets error=access_denied and the state, no code", async () => {
    const page = await openConsent(consentUrl());
    // Deny needs no account chosen (the button skips the form's check).
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(receiver.url)),
      page.click("button[value=deny]"),
    ]);
    const query = arrivedQuery(page);
    expect(query.get("error")).toBe("access_denied");
    expect(query.get("state")).toBe(STATE);
    expect(query.has("code")).toBe(false);
    await page.close();
  });

  test("approve without choosing an account: the browser does not submit", async () => {
    const page = await openConsent(consentUrl());
    const before = callbacks().length;
    await page.click("button[value=approve]");
    await page.waitForTimeout(500);
    expect(page.url()).toBe(consentUrl());
    expect(callbacks().length).toBe(before);
    const valid = await page
      .locator("select[name=user_id]")
      .evaluate((el) => (el as unknown as { validity: { valid: boolean } }).validity.valid);
    expect(valid).toBe(false);
    await page.close();
  });

  test("a redirect_uri the app did not register: an error page, and the browser stays", async () => {
    const page = await browser.newPage();
    const before = callbacks().length;
    const response = await page.goto(consentUrl({ redirect_uri: `${receiver.url}/elsewhere` }));
    expect(response?.status()).toBe(400);
    expect(new URL(page.url()).origin).toBe(new URL(server.url).origin);
    await expect(page.locator("main").textContent()).resolves.toContain("redirect_uri");
    await expect(page.locator("form").count()).resolves.toBe(0);
    expect(callbacks().length).toBe(before);
    await page.close();
  });
});
