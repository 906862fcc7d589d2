// The world a scenario needs, made before its buyers start: its fixture imported (replacing the
// world), the bot's account asked for (options.seller), and its items created on that account or,
// in a fixture world, found in it.
import type { SandboxClient } from "../cli/sandbox-client.ts";
import { abortable } from "./abortable.ts";
import type { Scenario, ScenarioItem } from "./model.ts";
import type { ScenarioRunOptions } from "./run-options.ts";
import type { AccountOverview, CreatedItem } from "./sandbox-shapes.ts";

/** An item of the world, as steps and variables (`item.<key>.id`) name it. */
export interface WorldItem {
  key: string;
  id: number;
  title: string;
  url: string;
  priceString: string | null;
}

export interface PreparedWorld {
  seller: number;
  items: ReadonlyMap<string, WorldItem>;
}

const STATUS_ID = { active: 10, removed: 20 } as const;

async function importFixture(
  scenario: Scenario,
  options: ScenarioRunOptions,
  sandbox: SandboxClient,
): Promise<void> {
  const fixture = scenario.world.fixture;
  if (fixture === null) return;
  let text: string;
  let shown: string;
  if ("document" in fixture) {
    text = JSON.stringify(fixture.document);
    shown = "the scenario's fixture";
  } else {
    shown = `the fixture ${fixture.path}`;
    try {
      text = new TextDecoder().decode(await options.readFile(fixture.path));
    } catch (error) {
      // The reader's message names the file and says why ("cannot read ./shop.json (relative to
      // shop.yaml): ENOENT"): said once, after what it was for.
      throw new Error(`the world's fixture: ${(error as Error).message}`);
    }
  }
  try {
    await sandbox.callText("POST", "/import?replace=true", text);
  } catch (error) {
    throw new Error(`${shown} was not imported: ${(error as Error).message}`);
  }
}

async function fixtureItem(
  item: ScenarioItem & { itemId: number },
  seller: number,
  accounts: () => Promise<AccountOverview[]>,
): Promise<WorldItem> {
  for (const account of await accounts()) {
    const found = account.items.find((i) => i.item_id === item.itemId);
    if (!found) continue;
    if (account.user_id !== seller) {
      throw new Error(
        `item ${item.key} (${item.itemId}) belongs to account ${account.user_id}, not to the seller ${seller}`,
      );
    }
    return {
      key: item.key,
      id: found.item_id,
      title: found.title,
      url: found.url,
      priceString: found.price_string,
    };
  }
  throw new Error(`item ${item.key}: the world has no item ${item.itemId}`);
}

async function createItem(
  item: ScenarioItem,
  seller: number,
  sandbox: SandboxClient,
): Promise<WorldItem> {
  const created = await sandbox.call<CreatedItem>("POST", `/accounts/${seller}/items`, {
    title: item.title,
    status_id: STATUS_ID[item.status],
    ...(item.priceString === null ? {} : { price_string: item.priceString }),
    ...(item.address === null ? {} : { address: item.address }),
  });
  return {
    key: item.key,
    id: created.item_id,
    title: created.title,
    url: created.url,
    priceString: created.price_string,
  };
}

/** Makes the world; throws an Error saying what could not be made (the scenario does not run). */
export async function prepareWorld(
  scenario: Scenario,
  options: ScenarioRunOptions,
  sandbox: SandboxClient,
): Promise<PreparedWorld> {
  const { signal } = options;
  await abortable(importFixture(scenario, options, sandbox), signal);
  let seller: number;
  try {
    seller = await abortable(options.seller(scenario.world.seller), signal);
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Error(`the bot's account is not ready: ${(error as Error).message}`);
  }
  let listed: Promise<AccountOverview[]> | null = null;
  const accounts = () => {
    listed ??= sandbox
      .call<{ accounts: AccountOverview[] }>("GET", "/accounts")
      .then((answer) => answer.accounts);
    return listed;
  };
  const items = new Map<string, WorldItem>();
  for (const item of scenario.world.items) {
    const made = await abortable(
      item.itemId === null
        ? createItem(item, seller, sandbox)
        : fixtureItem({ ...item, itemId: item.itemId }, seller, accounts),
      signal,
    ).catch((error: Error) => {
      if (signal.aborted || item.itemId !== null) throw error;
      throw new Error(`item ${item.key} was not created: ${error.message}`);
    });
    items.set(item.key, made);
  }
  return { seller, items };
}
