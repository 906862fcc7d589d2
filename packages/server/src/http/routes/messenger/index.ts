// The messenger API: every operation behind bearer tokens and the per-account rate limit.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { bearerAuth } from "../../plugins/bearer-auth.ts";
import { rateLimit } from "../../plugins/rate-limit.ts";
import { addBlacklist } from "./add-blacklist.ts";
import { deleteMessage } from "./delete-message.ts";
import { getChat } from "./get-chat.ts";
import { getChats } from "./get-chats.ts";
import { getMessages } from "./get-messages.ts";
import { readChat } from "./read-chat.ts";
import { sendMessage } from "./send-message.ts";

const OPERATIONS = [
  getChats,
  getChat,
  getMessages,
  sendMessage,
  deleteMessage,
  readChat,
  addBlacklist,
];

export async function messengerRoutes(
  app: FastifyInstance,
  options: { ctx: DomainContext; rateLimitPerMinute: number },
) {
  await app.register(bearerAuth, { ctx: options.ctx });
  await app.register(rateLimit, { limit: options.rateLimitPerMinute, clock: options.ctx.clock });
  for (const register of OPERATIONS) register(app, options.ctx);
}
