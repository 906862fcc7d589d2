// Fault injection, as the sandbox API offers it: add a rule (checked whole, against the operations
// the server has and the accounts and chats the store has, before anything is written), list the
// rules with their counts, remove one or all. The rules act through the registry
// (faults-registry.ts), read by the HTTP layer's faults plugin and by the webhook dispatcher.

import { BesedaError, validationError } from "../../errors/beseda-error.ts";
import { findAccount, findAccountByClientId } from "../../store/repositories/accounts.ts";
import { findChat, findMember } from "../../store/repositories/chats.ts";
import * as faultRepository from "../../store/repositories/faults.ts";
import { stampVersion } from "../cluster/cluster-sync.ts";
import type { DomainContext } from "../context.ts";
import {
  type FaultRuleInput,
  type FaultRuleView,
  faultKey,
  ruleOf,
  ruleProblems,
  viewOf,
} from "./faults-rules.ts";

/** The problems that need the store: the account and the chat a rule names must exist. */
async function storeProblems(
  ctx: DomainContext,
  input: FaultRuleInput,
): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  const { db } = ctx.store;
  if (input.userId !== null && !(await findAccount(db, input.userId))) {
    problems.user_id = "no account has this id";
  }
  if (input.chatId !== null) {
    if (!(await findChat(db, input.chatId))) problems.chat_id = "no chat has this id";
    else if (input.userId !== null && !(await findMember(db, input.chatId, input.userId))) {
      problems.chat_id = `is not a chat of account ${input.userId}`;
    }
  }
  return problems;
}

/** Adds a rule; 400 naming every field that would keep it from ever matching. */
export async function createFault(
  ctx: DomainContext,
  input: FaultRuleInput,
): Promise<FaultRuleView> {
  const now = ctx.clock.now();
  const problems = {
    ...(await storeProblems(ctx, input)),
    ...ruleProblems(input, ctx.faults.operations, now),
  };
  if (Object.keys(problems).length > 0) {
    throw validationError(problems, "The fault rule could never act");
  }
  let version: string | undefined;
  const record = await ctx.store.transaction(async (db) => {
    version = await stampVersion(ctx.store, db, "faults");
    return faultRepository.insertFaultRule(db, { ...input, created: now });
  });
  const rule = ruleOf(record);
  ctx.faults.add(rule);
  ctx.cluster.changed("faults", version);
  return viewOf(rule, now);
}

/** Every rule, oldest first, with its counts as the store has them. */
export async function listFaults(ctx: DomainContext): Promise<{ faults: FaultRuleView[] }> {
  await ctx.faults.flush();
  const now = ctx.clock.now();
  const records = await faultRepository.listFaultRules(ctx.store.db);
  return { faults: records.map((r) => viewOf(ruleOf(r), now)) };
}

/** Removes one rule; answers it as it was last (its final counts). */
export async function deleteFault(ctx: DomainContext, id: string): Promise<FaultRuleView> {
  const key = faultKey(id);
  if (key === null) throw new BesedaError("fault_not_found");
  await ctx.faults.flush();
  let version: string | undefined;
  const record = await ctx.store.transaction(async (db) => {
    const found = await faultRepository.findFaultRule(db, key);
    if (found) {
      await faultRepository.deleteFaultRule(db, key);
      version = await stampVersion(ctx.store, db, "faults");
    }
    return found;
  });
  if (!record) throw new BesedaError("fault_not_found");
  ctx.faults.remove(key);
  ctx.cluster.changed("faults", version);
  return viewOf(ruleOf(record), ctx.clock.now());
}

/** Removes every rule. */
export async function clearFaults(ctx: DomainContext): Promise<{ deleted: number }> {
  await ctx.faults.flush();
  let version: string | undefined;
  const deleted = await ctx.store.transaction(async (db) => {
    version = await stampVersion(ctx.store, db, "faults");
    return faultRepository.deleteAllFaultRules(db);
  });
  ctx.faults.clear();
  ctx.cluster.changed("faults", version);
  return { deleted };
}

/**
 * The account a request without a bearer token acts for (the token endpoint's): the one whose
 * client_id it sends; null when it sends none that Beseda knows.
 */
export async function accountOfClient(
  ctx: DomainContext,
  clientId: string | null,
): Promise<number | null> {
  if (!clientId) return null;
  return (await findAccountByClientId(ctx.store.db, clientId))?.id ?? null;
}
