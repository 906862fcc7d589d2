// A change's scopes (views/kept-answers.ts) in the store: where nodes share it, every change bumps
// the versions of what it changes inside its own transaction, so that no node serves an answer
// kept from before it once it has committed.
import { bumpReadVersions } from "../store/repositories/read-versions.ts";
import type { Db } from "../store/store.ts";
import type { DomainContext } from "./context.ts";

export async function stampScopes(
  ctx: DomainContext,
  db: Db,
  scopes: readonly string[],
): Promise<void> {
  if (ctx.keptAnswers.sharesVersions) await bumpReadVersions(db, scopes);
}
