// The sandbox control API under /sandbox/v1, behind the admin token: play the other side.
import type { FastifyInstance } from "fastify";
import type { SandboxClock } from "../../../clock.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { adminAuth } from "../../plugins/admin-auth.ts";
import { multipartUploads } from "../../plugins/multipart-uploads.ts";
import { clock } from "./clock.ts";
import { createAccount } from "./create-account.ts";
import { createAuthorizationCode } from "./create-authorization-code.ts";
import { createChat } from "./create-chat.ts";
import { createItem } from "./create-item.ts";
import { postMessage } from "./post-message.ts";
import { uploadImage } from "./upload-image.ts";
import { uploadVoice } from "./upload-voice.ts";
import { webhookDeliveries } from "./webhook-deliveries.ts";

export async function sandboxRoutes(
  app: FastifyInstance,
  options: { ctx: DomainContext; clock: SandboxClock; adminToken: string },
) {
  await app.register(adminAuth, { adminToken: options.adminToken });
  createAccount(app, options.ctx);
  createItem(app, options.ctx);
  createChat(app, options.ctx);
  postMessage(app, options.ctx);
  createAuthorizationCode(app, options.ctx);
  clock(app, options.ctx, options.clock);
  webhookDeliveries(app, options.ctx);
  await app.register(multipartUploads, { routes: [uploadImage, uploadVoice], ctx: options.ctx });
}
