// GET /sandbox/v1/chats?user_id=&type=&text=&person=&limit=&offset= → {"chats":[…]}: chats by
// newest activity, of every account or of one, of one type, searched by the text of their
// messages and by the people in them, a page; with both users' names and unread counts, the
// item of a u2i chat, and the last message.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { chatsOverview } from "../../../domain/sandbox/world-overview.ts";
import type { ChatType } from "../../../store/records.ts";
import { userId } from "./schemas.ts";

interface Route {
  Querystring: {
    user_id?: number;
    type?: ChatType;
    text?: string;
    person?: string;
    limit?: number;
    offset?: number;
  };
}

const search = { type: "string", minLength: 1, maxLength: 200 } as const;

export function listChats(app: FastifyInstance, ctx: DomainContext) {
  app.route<Route>({
    method: "GET",
    url: "/chats",
    schema: {
      querystring: {
        type: "object",
        properties: {
          user_id: userId,
          type: { type: "string", enum: ["u2i", "u2u", "a2u"] },
          text: search,
          person: search,
          limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
          offset: { type: "integer", minimum: 0, maximum: 100_000, default: 0 },
        },
      },
    },
    handler: async ({ query }) =>
      chatsOverview(ctx, {
        userId: query.user_id ?? null,
        type: query.type ?? null,
        text: query.text ?? null,
        person: query.person ?? null,
        limit: query.limit ?? 100,
        offset: query.offset ?? 0,
      }),
  });
}
