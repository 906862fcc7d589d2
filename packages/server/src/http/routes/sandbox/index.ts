// The sandbox control API under /sandbox/v1, behind the admin token: play the other side.
import type { FastifyInstance } from "fastify";
import type { SandboxClock } from "../../../clock.ts";
import type { DomainContext } from "../../../domain/context.ts";
import type { ScenarioRuns } from "../../../scenarios/scenario-runs.ts";
import { adminAuth } from "../../plugins/admin-auth.ts";
import { multipartUploads } from "../../plugins/multipart-uploads.ts";
import { cancelScenarioRun } from "./cancel-scenario-run.ts";
import { clearFaults } from "./clear-faults.ts";
import { clock } from "./clock.ts";
import { createAccount } from "./create-account.ts";
import { createAuthorizationCode } from "./create-authorization-code.ts";
import { createChat } from "./create-chat.ts";
import { createFault } from "./create-fault.ts";
import { createItem } from "./create-item.ts";
import { deleteFault } from "./delete-fault.ts";
import { deleteMessage } from "./delete-message.ts";
import { events } from "./events.ts";
import { expireTokens } from "./expire-tokens.ts";
import { exportWorld } from "./export-world.ts";
import { getChat } from "./get-chat.ts";
import { getScenarioRun } from "./get-scenario-run.ts";
import { importWorld } from "./import-world.ts";
import { listAccounts } from "./list-accounts.ts";
import { listBlacklist } from "./list-blacklist.ts";
import { listChatMessages } from "./list-chat-messages.ts";
import { listChats } from "./list-chats.ts";
import { listFaults } from "./list-faults.ts";
import { listMessages } from "./list-messages.ts";
import { listScenarioRuns } from "./list-scenario-runs.ts";
import { pauseWebhooks } from "./pause-webhooks.ts";
import { postMessage } from "./post-message.ts";
import { readChat } from "./read-chat.ts";
import { resetWorld } from "./reset-world.ts";
import { resumeWebhooks } from "./resume-webhooks.ts";
import { revokeToken } from "./revoke-token.ts";
import { runScenario } from "./run-scenario.ts";
import { setRedirectUris } from "./set-redirect-uris.ts";
import { uploadImage } from "./upload-image.ts";
import { uploadVoice } from "./upload-voice.ts";
import { voiceLinks } from "./voice-links.ts";
import { webhookDeliveries } from "./webhook-deliveries.ts";

export async function sandboxRoutes(
  app: FastifyInstance,
  options: {
    ctx: DomainContext;
    clock: SandboxClock;
    adminToken: string;
    /** Made (and closed) by app.ts: see there. */
    scenarioRuns: ScenarioRuns;
  },
) {
  await app.register(adminAuth, {
    ctx: options.ctx,
    adminToken: options.adminToken,
    clock: options.clock,
  });
  createAccount(app, options.ctx);
  listAccounts(app, options.ctx);
  listChats(app, options.ctx);
  getChat(app, options.ctx);
  listMessages(app, options.ctx);
  listChatMessages(app, options.ctx);
  events(app, options.ctx);
  createItem(app, options.ctx);
  createChat(app, options.ctx);
  postMessage(app, options.ctx);
  readChat(app, options.ctx);
  deleteMessage(app, options.ctx);
  voiceLinks(app, options.ctx);
  createAuthorizationCode(app, options.ctx);
  setRedirectUris(app, options.ctx);
  clock(app, options.ctx, options.clock);
  exportWorld(app, options.ctx, options.clock);
  importWorld(app, options.ctx, options.clock);
  resetWorld(app, options.ctx, options.clock);
  webhookDeliveries(app, options.ctx);
  pauseWebhooks(app, options.ctx);
  resumeWebhooks(app, options.ctx);
  listBlacklist(app, options.ctx);
  createFault(app, options.ctx);
  listFaults(app, options.ctx);
  deleteFault(app, options.ctx);
  clearFaults(app, options.ctx);
  expireTokens(app, options.ctx);
  revokeToken(app, options.ctx);
  runScenario(app, options.ctx, options.scenarioRuns, options.adminToken);
  listScenarioRuns(app, options.scenarioRuns);
  getScenarioRun(app, options.scenarioRuns);
  cancelScenarioRun(app, options.scenarioRuns);
  await app.register(multipartUploads, { routes: [uploadImage, uploadVoice], ctx: options.ctx });
}
