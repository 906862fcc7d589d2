// The calls around the messenger, from Avito's user and items APIs (/core/v1): behind bearer
// tokens like the messenger (same 403s, same scopes rule), each operation with its own per-account
// limit: getItemsInfo 25 a minute and getItemInfo 500, as their documents say; getUserInfoSelf,
// whose document names none, the messenger's (BESEDA_RATE_LIMIT_PER_MINUTE).
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import {
  logFailedCountWrites,
  openRateLimiter,
} from "../../../domain/rate-limits/open-rate-limiter.ts";
import { bearerAuth } from "../../plugins/bearer-auth.ts";
import { rateLimit } from "../../plugins/rate-limit.ts";
import { getItemInfo } from "./get-item-info.ts";
import { getItemsInfo } from "./get-items-info.ts";
import { getUserInfoSelf } from "./get-user-info-self.ts";

export const ITEMS_INFO_PER_MINUTE = 25;
export const ITEM_INFO_PER_MINUTE = 500;

type Register = (app: FastifyInstance, ctx: DomainContext) => void;

export async function coreRoutes(
  app: FastifyInstance,
  options: { ctx: DomainContext; rateLimitPerMinute: number },
) {
  const { ctx } = options;
  await app.register(bearerAuth, { ctx });
  // One scope per operation: each counts its own requests against its own limit, in the
  // database when several nodes may share it (as the messenger's, server.ts).
  const limited = (register: Register, name: string, limit: number) =>
    app.register(async (scope) => {
      const limiter = openRateLimiter({
        store: ctx.store,
        name,
        limit,
        clock: ctx.clock,
        onError: logFailedCountWrites(scope.log),
      });
      await scope.register(rateLimit, { limiter });
      register(scope, ctx);
    });
  await limited(getUserInfoSelf, "getUserInfoSelf", options.rateLimitPerMinute);
  await limited(getItemsInfo, "getItemsInfo", ITEMS_INFO_PER_MINUTE);
  await limited(getItemInfo, "getItemInfo", ITEM_INFO_PER_MINUTE);
}
