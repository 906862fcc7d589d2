// Which account is the bot's when a scenario starts (ScenarioRunOptions.seller), and making sure
// the bot hears it. Without a fixture: the runner's bot account — --account, else (when it manages
// the bot) its own account "beseda test bot", found by name or created once, else the one
// account with a webhook subscription. With a fixture: the fixture's seller. A managed bot is
// (re)started as that account whenever it changes, and after every fixture import (the import
// replaced its tokens); the account it leaves keeps no webhook subscription pointing at a bot
// that no longer runs (on a Beseda the user runs, that would be stale state of the runner's).
import type { components } from "@beseda/contract/types/sandbox";
import type { RequestOptions, SandboxClient } from "../sandbox-client.ts";
import { type BotCredentials, BotStartError, type ManagedBot } from "./managed-bot.ts";

type AccountOverview = components["schemas"]["AccountOverview"];
type App = components["schemas"]["App"];

/** How long removing a subscription (a token, then the unsubscribe) may take. */
const UNSUBSCRIBE_TIMEOUT_MS = 30_000;

/** The name of the account the runner makes (once) for a bot it manages. */
export const BOT_ACCOUNT_NAME = "beseda test bot";

export interface SellerAccountsOptions {
  sandbox: SandboxClient;
  /** The Beseda's base URL: where the messenger API of a stale subscription is called. */
  besedaUrl: string;
  /** The bot the runner starts (--bot), or null when the user runs their own. */
  bot: ManagedBot | null;
  botReadyTimeoutMs: number;
  /** --account: the bot's account on a Beseda the user runs. */
  account: number | null;
  /** A Beseda the user runs (--url): what the run leaves there matters. */
  remote: boolean;
  signal: AbortSignal;
}

export class SellerAccounts {
  readonly #options: SellerAccountsOptions;
  readonly #request: RequestOptions;
  /** The bot's account for scenarios without a fixture, once known. */
  #account: number | null;
  /** A fixture replaced the world since #account was chosen: it may be gone. */
  #worldReplaced = false;
  /** A fixture replaced the world at some time in this run. */
  #fixtureUsed = false;
  /** The managed bot could not start: nothing more can pass. */
  #botFailure: BotStartError | null = null;

  constructor(options: SellerAccountsOptions) {
    this.#options = options;
    this.#request = { signal: options.signal };
    this.#account = options.account;
  }

  get botFailure(): BotStartError | null {
    return this.#botFailure;
  }

  /**
   * Before anything runs, on a world the first scenario uses as it is (no fixture): what makes
   * every scenario fail at once (--account unknown or not subscribed, no subscribed account or
   * more than one), as a message for a wrong use; null when all is well.
   */
  async preflight(): Promise<string | null> {
    const { account, bot, besedaUrl } = this.#options;
    const accounts = await this.#accounts();
    if (account !== null) {
      const found = accounts.find((a) => a.user_id === account);
      if (!found) return `no account ${account} on ${besedaUrl} (--account)`;
      if (bot === null && found.subscription === null) return notSubscribed(account);
      return null;
    }
    if (bot !== null) return null;
    const subscribed = accounts.filter((a) => a.subscription !== null);
    return subscribed.length === 1 ? null : this.#notOneSubscribed(subscribed);
  }

  /** ScenarioRunOptions.seller. */
  async seller(fixtureSeller: number | null): Promise<number> {
    if (fixtureSeller !== null) {
      this.#worldReplaced = true;
      this.#fixtureUsed = true;
      const account = (await this.#accounts()).find((a) => a.user_id === fixtureSeller);
      if (!account) {
        throw new Error(`world.seller ${fixtureSeller} is not an account of the fixture`);
      }
      if (this.#options.bot) await this.#startBot(this.#options.bot, account);
      else if (account.subscription === null) throw new Error(notSubscribed(account.user_id));
      return fixtureSeller;
    }

    const { bot } = this.#options;
    if (this.#worldReplaced) {
      this.#worldReplaced = false;
      // The runner's account went with the old world; an account of the user's own (--account,
      // their bot running as it) may be in the fixture, and is checked below.
      if (bot || this.#options.account === null) this.#account = null;
    }
    if (this.#account === null) {
      this.#account = bot ? (await this.#botAccount()).user_id : await this.#subscribedOne();
    }
    const account = (await this.#accounts()).find((a) => a.user_id === this.#account);
    if (!account) {
      // Only --account can be missing: the runner's own accounts were just made or listed.
      throw new Error(
        `account ${this.#account} (--account) is not an account of ${this.#options.besedaUrl}${this.#fixtureUsed ? " any more: the fixture of an earlier scenario replaced the world" : ""}`,
      );
    }
    if (bot) {
      if (bot.userId !== account.user_id) await this.#startBot(bot, account);
    } else if (account.subscription === null) {
      throw new Error(notSubscribed(account.user_id));
    }
    return account.user_id;
  }

  /**
   * Stops the managed bot at the end of the run and, on a Beseda the user runs, removes the
   * webhook subscription it left on its account; what went wrong removing it, or null.
   */
  async release(): Promise<string | null> {
    const bot = this.#options.bot;
    if (!bot) return null;
    const left = await bot.stop();
    if (left === null || !this.#options.remote) return null;
    try {
      // Also after Ctrl-C: not with the run's (aborted) signal.
      await this.#removeStaleSubscription(left, {});
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** The accounts; `request` without the run's signal for the cleaning up after it. */
  async #accounts(request = this.#request): Promise<AccountOverview[]> {
    const answer = await this.#options.sandbox.call<{ accounts: AccountOverview[] }>(
      "GET",
      "/accounts",
      undefined,
      request,
    );
    return answer.accounts;
  }

  /** The runner's account for its bot: the one an earlier run made, else a new one. */
  async #botAccount(): Promise<BotCredentials> {
    const earlier = (await this.#accounts()).find(
      (a) => a.name === BOT_ACCOUNT_NAME && a.kind === "user",
    );
    if (earlier) return earlier;
    return this.#options.sandbox.call<App>(
      "POST",
      "/accounts",
      { name: BOT_ACCOUNT_NAME },
      this.#request,
    );
  }

  async #subscribedOne(): Promise<number> {
    const subscribed = (await this.#accounts()).filter((a) => a.subscription !== null);
    if (subscribed.length === 1) return (subscribed[0] as AccountOverview).user_id;
    throw new Error(this.#notOneSubscribed(subscribed));
  }

  #notOneSubscribed(subscribed: AccountOverview[]): string {
    if (subscribed.length === 0) {
      return `no account of ${this.#options.besedaUrl} has a webhook subscription, so no bot would hear the buyers: start your bot, or give --account USER_ID (or --bot "CMD" to let the runner start it)`;
    }
    return `${subscribed.length} accounts of ${this.#options.besedaUrl} have a webhook subscription (${subscribed.map((a) => a.user_id).join(", ")}): give --account USER_ID of your bot`;
  }

  async #startBot(bot: ManagedBot, account: AccountOverview): Promise<void> {
    if (this.#botFailure) throw this.#botFailure;
    // The account the bot leaves keeps no subscription of it (unless the fixture took it away).
    const left = await bot.stop();
    if (left !== null && left !== account.user_id) await this.#removeStaleSubscription(left);
    // A subscription the account holds already (from a fixture, or a bot that died) points at
    // no running bot, and would make the new one look ready before it is.
    if (account.subscription !== null) await this.#unsubscribe(account, account.subscription.url);
    const credentials: BotCredentials = account;
    try {
      await bot.start(credentials, this.#options.botReadyTimeoutMs, this.#options.signal);
    } catch (error) {
      if (error instanceof BotStartError && !this.#options.signal.aborted) {
        this.#botFailure = error;
      }
      throw error;
    }
  }

  /** The subscription of `userId`, if it still has one (and still is an account). */
  async #removeStaleSubscription(userId: number, request = this.#request): Promise<void> {
    const account = (await this.#accounts(request)).find((a) => a.user_id === userId);
    if (account?.subscription) await this.#unsubscribe(account, account.subscription.url);
  }

  /** Removes a webhook subscription as the account's own app would (POST /token, unsubscribe). */
  async #unsubscribe(account: AccountOverview, url: string): Promise<void> {
    const base = this.#options.besedaUrl;
    const signal = AbortSignal.timeout(UNSUBSCRIBE_TIMEOUT_MS);
    const tokenResponse = await fetch(`${base}/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: account.client_id,
        client_secret: account.client_secret,
      }),
      signal,
    });
    const token = (await tokenResponse.json().catch(() => ({}))) as { access_token?: string };
    const answer = token.access_token
      ? await fetch(`${base}/messenger/v1/webhook/unsubscribe`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token.access_token}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ url }),
          signal,
        })
      : tokenResponse;
    if (!answer.ok) {
      throw new Error(
        `could not remove the webhook subscription of account ${account.user_id} (${url}): ${answer.status} ${await answer.text()}`,
      );
    }
  }
}

function notSubscribed(userId: number): string {
  return `account ${userId} has no webhook subscription: nothing would reach its bot; start your bot as that account (or give --bot "CMD" to let the runner start it)`;
}
