// Signing in to the console: only the admin token opens it, the cookie is HttpOnly and SameSite,
// it opens the sandbox API but never the messenger API, and signing out closes the console again.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ConsoleHarness, DESKTOP, screenshot, startConsole } from "./helpers/console.ts";

let h: ConsoleHarness;

beforeAll(async () => {
  h = await startConsole();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe("console sign-in", () => {
  test("a wrong token is refused on the form; the admin token signs in and sets the cookie", async () => {
    const context = await h.browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    await page.goto(`${h.server.url}/console`);
    await screenshot(page, "sign-in");
    await page.getByLabel("Admin token").fill(h.w.sellerToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not this server");

    await page.getByLabel("Admin token").fill(h.server.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("navigation", { name: "Sections" }).count()).toBe(1);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "beseda_console", httpOnly: true, sameSite: "Strict" });
    expect(await page.evaluate(() => document.cookie)).toBe("");
    // Everything came from Beseda itself: no CDN, no font host.
    expect(requested.length).toBeGreaterThan(3);
    for (const url of requested) expect(url.startsWith(`${h.server.url}/`)).toBe(true);

    // A reload keeps the session; signing out ends it and shows the form again.
    await page.reload();
    await expect.poll(() => page.getByRole("button", { name: "Sign out" }).count()).toBe(1);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => page.getByLabel("Admin token").count()).toBe(1);
    await page.reload();
    await expect.poll(() => page.getByLabel("Admin token").count()).toBe(1);
    await context.close();
  });

  test("the cookie opens the sandbox API, never the messenger API", async () => {
    const signIn = await h.api.request<{ expires: number }>("POST", "/console/session", {
      json: { token: h.server.adminToken },
    });
    expect(signIn.status).toBe(200);
    const setCookie = signIn.headers.getSetCookie()[0] ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(";")[0] ?? "";
    const withCookie = { headers: { cookie } };

    expect((await h.api.request("GET", "/sandbox/v1/clock", withCookie)).status).toBe(200);
    // A change needs the console's header too: another page of this site cannot forge one.
    const forged = await h.api.request("POST", "/sandbox/v1/clock", {
      ...withCookie,
      json: { advance_seconds: 1 },
    });
    expect(forged.status).toBe(403);
    const own = await h.api.request("POST", "/sandbox/v1/clock", {
      headers: { cookie, "x-beseda-console": "1" },
      json: { advance_seconds: 1 },
    });
    expect(own.status).toBe(200);

    const messenger = await h.api.request(
      "GET",
      `/messenger/v2/accounts/${h.w.seller.user_id}/chats`,
      withCookie,
    );
    expect(messenger.status).not.toBe(200);

    const tampered = cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    const refused = await h.api.request("GET", "/sandbox/v1/clock", {
      headers: { cookie: tampered },
    });
    expect(refused.status).toBe(401);
  });

  test("the messenger API's tokens never open the console", async () => {
    const answer = await h.api.request("POST", "/console/session", {
      json: { token: h.w.sellerToken },
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.getSetCookie()).toEqual([]);
    const bearer = await h.api.request("GET", "/sandbox/v1/clock", { token: h.w.sellerToken });
    expect(bearer.status).toBe(401);
  });
});
