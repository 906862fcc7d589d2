// The messenger API: every operation behind bearer tokens and the per-account rate limit.
import type { FastifyInstance } from "fastify";
import type { DomainContext } from "../../../domain/context.ts";
import { bearerAuth } from "../../plugins/bearer-auth.ts";
import { multipartUploads } from "../../plugins/multipart-uploads.ts";
import { rateLimit } from "../../plugins/rate-limit.ts";
import { addBlacklist } from "./add-blacklist.ts";
import { deleteMessage } from "./delete-message.ts";
import { getChat } from "./get-chat.ts";
import { getChats } from "./get-chats.ts";
import { getMessages } from "./get-messages.ts";
import { getSubscriptions } from "./get-subscriptions.ts";
import { getVoiceFiles } from "./get-voice-files.ts";
import { readChat } from "./read-chat.ts";
import { sendImageMessage } from "./send-image-message.ts";
import { sendMessage } from "./send-message.ts";
import { subscribeWebhook } from "./subscribe-webhook.ts";
import { unsubscribeWebhook } from "./unsubscribe-webhook.ts";
import { uploadImages } from "./upload-images.ts";

const OPERATIONS = [
  getChats,
  getChat,
  getMessages,
  sendMessage,
  deleteMessage,
  readChat,
  addBlacklist,
  sendImageMessage,
  getVoiceFiles,
  subscribeWebhook,
  unsubscribeWebhook,
  getSubscriptions,
];

export async function messengerRoutes(app: FastifyInstance, options: { ctx: DomainContext }) {
  await app.register(bearerAuth, { ctx: options.ctx });
  // The context's limiter: the sandbox's account overview reads each account's use of it.
  await app.register(rateLimit, { limiter: options.ctx.messengerRateLimit });
  for (const register of OPERATIONS) register(app, options.ctx);
  await app.register(multipartUploads, { routes: [uploadImages], ctx: options.ctx });
}
