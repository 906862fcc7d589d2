// GET /sandbox/v1/chats?user_id=&limit= → {"chats":[…]}: chats by newest activity, of every
// account or of one, with both users' unread counts and the last message.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { chatsOverview } from "../../../domain/sandbox/world-overview.ts";
import { userId } from "./schemas.ts";

interface Route {
  Querystring: { user_id?: number; limit?: number };
}

export function listChats(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "GET",
    url: "/chats",
    schema: {
      querystring: {
        type: "object",
        properties: {
          user_id: userId,
          limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
        },
      },
    },
    handler: async ({ query }) =>
      chatsOverview(ctx, { userId: query.user_id ?? null, limit: query.limit ?? 100 }),
  });
}
