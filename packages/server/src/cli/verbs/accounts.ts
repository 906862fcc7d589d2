// `beseda accounts`: every account with its app, items and webhook; `accounts create NAME`.
import type { AccountOverview } from "../../domain/sandbox/world-overview.ts";
import { formatTime } from "../format.ts";
import { UsageError, type Verb } from "../verb.ts";

export const accountsVerb: Verb = {
  name: "accounts",
  summary: "list the accounts (apps, items, webhooks), or create one",
  usage: ["beseda accounts [--json]", "beseda accounts create NAME [--redirect-uri URL ...]"],
  options: { json: { type: "boolean" }, "redirect-uri": { type: "string", multiple: true } },
  async run([action, ...rest], values, { client, out }) {
    if (action === "create") {
      const name = rest.join(" ").trim();
      if (!name) throw new UsageError("accounts create needs a NAME");
      const redirects = values["redirect-uri"] as string[] | undefined;
      const created = await client.call<Record<string, unknown>>("POST", "/accounts", {
        name,
        ...(redirects ? { redirect_uris: redirects } : {}),
      });
      if (values.json) return out(JSON.stringify(created, null, 2));
      for (const [key, value] of Object.entries(created)) {
        out(`${`${key}:`.padEnd(15)} ${Array.isArray(value) ? value.join(" ") : String(value)}`);
      }
      return;
    }
    if (action !== undefined) throw new UsageError(`unknown accounts action "${action}"`);
    const { accounts } = await client.call<{ accounts: AccountOverview[] }>("GET", "/accounts");
    if (values.json) return out(JSON.stringify(accounts, null, 2));
    if (accounts.length === 0) return out("no accounts (beseda accounts create NAME)");
    for (const account of accounts) {
      const kind = account.kind === "avito" ? " [Avito]" : "";
      out(`${account.user_id}  ${account.name}${kind}  (since ${formatTime(account.created)})`);
      out(`    client_id ${account.client_id}  client_secret ${account.client_secret}`);
      out(`    webhook   ${account.subscription ? account.subscription.url : "none"}`);
      for (const item of account.items) {
        const price = item.price_string ? `, ${item.price_string}` : "";
        const status = item.status_id === 10 ? "" : ` [status ${item.status_id}]`;
        out(`    item      ${item.item_id}  ${item.title}${price}${status}`);
      }
    }
  },
};
