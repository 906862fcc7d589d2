// Which account is the bot's when a scenario starts (ScenarioRunOptions.seller), and making sure
// the bot hears it. Without a fixture: the runner's bot account — --account, else one the runner
// creates when it manages the bot (or started Beseda itself), else the one account with a webhook
// subscription. With a fixture: the fixture's seller. A managed bot is (re)started as that
// account whenever it changes, and after every fixture import (the import replaced its tokens).
import type { components } from "@beseda/contract/types/sandbox";
import type { SandboxClient } from "../sandbox-client.ts";
import { type BotCredentials, BotStartError, type ManagedBot } from "./managed-bot.ts";

type AccountOverview = components["schemas"]["AccountOverview"];
type App = components["schemas"]["App"];

/** The name of the account the runner creates for a managed bot. */
export const BOT_ACCOUNT_NAME = "Бот";

export interface SellerAccountsOptions {
  sandbox: SandboxClient;
  /** The Beseda's base URL: where the messenger API of a stale subscription is called. */
  besedaUrl: string;
  /** The bot the runner starts (--bot), or null when the user runs their own. */
  bot: ManagedBot | null;
  botReadyTimeoutMs: number;
  /** --account: the bot's account on a Beseda the user runs. */
  account: number | null;
  signal: AbortSignal;
}

export class SellerAccounts {
  readonly #options: SellerAccountsOptions;
  /** The bot's account for scenarios without a fixture, once known. */
  #account: number | null;
  /** A fixture replaced the world since #account was chosen: it may be gone. */
  #worldReplaced = false;
  /** The managed bot could not start: nothing more can pass. */
  #botFailure: BotStartError | null = null;

  constructor(options: SellerAccountsOptions) {
    this.#options = options;
    this.#account = options.account;
  }

  get botFailure(): BotStartError | null {
    return this.#botFailure;
  }

  /** ScenarioRunOptions.seller. */
  async seller(fixtureSeller: number | null): Promise<number> {
    if (fixtureSeller !== null) {
      this.#worldReplaced = true;
      const account = (await this.#accounts()).find((a) => a.user_id === fixtureSeller);
      if (!account) {
        throw new Error(`world.seller ${fixtureSeller} is not an account of the fixture`);
      }
      if (this.#options.bot) await this.#startBot(this.#options.bot, account);
      else this.#checkSubscribed(account);
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
      this.#account = bot ? (await this.#createBotAccount()).user_id : await this.#subscribedOne();
    }
    const account = (await this.#accounts()).find((a) => a.user_id === this.#account);
    if (!account) {
      // Only --account can be missing: the runner's own accounts were just made or listed.
      throw new Error(
        `account ${this.#account} (--account) is not an account of ${this.#options.besedaUrl}, or no longer is: a fixture of an earlier scenario may have replaced the world`,
      );
    }
    if (bot) {
      if (bot.userId !== account.user_id) await this.#startBot(bot, account);
    } else {
      this.#checkSubscribed(account);
    }
    return account.user_id;
  }

  async #accounts(): Promise<AccountOverview[]> {
    return (await this.#options.sandbox.call<{ accounts: AccountOverview[] }>("GET", "/accounts"))
      .accounts;
  }

  async #createBotAccount(): Promise<App> {
    return this.#options.sandbox.call<App>("POST", "/accounts", { name: BOT_ACCOUNT_NAME });
  }

  async #subscribedOne(): Promise<number> {
    const subscribed = (await this.#accounts()).filter((a) => a.subscription !== null);
    if (subscribed.length === 1) return (subscribed[0] as AccountOverview).user_id;
    if (subscribed.length === 0) {
      throw new Error(
        `no account of ${this.#options.besedaUrl} has a webhook subscription: start your bot, or give --account USER_ID (or --bot "CMD" to let the runner start it)`,
      );
    }
    throw new Error(
      `${subscribed.length} accounts have a webhook subscription (${subscribed.map((a) => a.user_id).join(", ")}): give --account USER_ID of your bot`,
    );
  }

  #checkSubscribed(account: AccountOverview): void {
    if (account.subscription !== null) return;
    throw new Error(
      `account ${account.user_id} has no webhook subscription: nothing would reach its bot; start your bot as that account (or give --bot "CMD" to let the runner start it)`,
    );
  }

  async #startBot(bot: ManagedBot, account: AccountOverview): Promise<void> {
    if (this.#botFailure) throw this.#botFailure;
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

  /** Removes a webhook subscription as the account's own app would (POST /token, unsubscribe). */
  async #unsubscribe(account: AccountOverview, url: string): Promise<void> {
    const base = this.#options.besedaUrl;
    const tokenResponse = await fetch(`${base}/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: account.client_id,
        client_secret: account.client_secret,
      }),
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
        })
      : tokenResponse;
    if (!answer.ok) {
      throw new Error(
        `could not remove the old webhook subscription of account ${account.user_id} (${url}) before starting the bot: ${answer.status} ${await answer.text()}`,
      );
    }
  }
}
