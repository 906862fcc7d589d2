// What the operations pages' browser tests share: waiting for what a page shows, the sandbox's
// accounts as the API has them, and screenshots taken from the top of the page.
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { TestApi } from "../../../server/test/helpers/api.ts";
import { screenshot } from "./console.ts";

/** Waits for what the page shows (live updates and polls take a moment). */
export function until<T>(read: () => Promise<T>, timeout = 10_000) {
  return expect.poll(read, { timeout, interval: 100 });
}

export interface SandboxAccount {
  user_id: number;
  name: string;
  client_id: string;
  client_secret: string;
  items: { title: string; price_string: string | null; status_id: number }[];
  webhooks_paused: boolean;
}

export async function sandboxAccounts(api: TestApi): Promise<SandboxAccount[]> {
  return (await api.sandbox<{ accounts: SandboxAccount[] }>("GET", "/accounts")).body.accounts;
}

/** A full-page screenshot from the top (the sticky header drawn where it belongs). */
export async function snap(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
}

/** Subscribes an account to a receiver with the messenger API, as an app does. */
export async function subscribe(api: TestApi, token: string, url: string): Promise<void> {
  const answer = await api.call("postWebhookV3", { token, params: {}, json: { url } });
  expect(answer.status).toBe(200);
}
