// Builds the Fastify application: wire tolerance, the error handler, the request log, fault
// injection, and the route groups (public pages, the served documents and /docs, media, the token
// endpoint, the OAuth consent page, the messenger, Avito's core calls around it, the sandbox).
// Nothing here listens or opens files.
import formbody from "@fastify/formbody";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { SandboxClock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { DomainContext } from "./domain/context.ts";
import { OPENAPI_FORMATS } from "./http/openapi/formats.ts";
import { errorHandler, errorResponder } from "./http/plugins/error-handler.ts";
import { faults } from "./http/plugins/faults.ts";
import { gracefulClose } from "./http/plugins/graceful-close.ts";
import { jsonBytes } from "./http/plugins/json-bytes.ts";
import { clientErrorHandler, protocolErrors } from "./http/plugins/protocol-errors.ts";
import { RequestLogController } from "./http/plugins/request-log.ts";
import { routeTable } from "./http/plugins/route-table.ts";
import { parseQuery, wireTolerance } from "./http/plugins/wire-tolerance.ts";
import { consoleRoutes } from "./http/routes/console/index.ts";
import { coreRoutes } from "./http/routes/core/index.ts";
import { docsRoutes } from "./http/routes/docs/index.ts";
import { mediaRoutes } from "./http/routes/media/index.ts";
import { messengerRoutes } from "./http/routes/messenger/index.ts";
import { oauthRoutes } from "./http/routes/oauth/index.ts";
import { publicRoutes } from "./http/routes/public/index.ts";
import { sandboxRoutes } from "./http/routes/sandbox/index.ts";
import { token } from "./http/routes/token/token.ts";
import { ScenarioRuns } from "./scenarios/scenario-runs.ts";

export interface AppDependencies {
  config: Config;
  ctx: DomainContext;
  clock: SandboxClock;
  adminToken: string;
  logger: FastifyBaseLogger;
}

/**
 * Node's largest request head (its default --max-http-header-size): a path parameter up to it
 * reaches its route, whose own answer says what is wrong with it (an unknown chat is 404 whatever
 * its length) rather than the router's 414 before auth.
 */
const MAX_PARAM_LENGTH = 16 * 1024;

/**
 * How often Node looks for requests past the headers or request timeout (its default, 30 s, would
 * let a 60 s limit fire at 90 s): a tenth of the shorter one, at most every second.
 */
function connectionsCheckingInterval(config: Config): number {
  const shorter = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  return Math.max(10, Math.min(1000, Math.floor(shorter / 10)));
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config } = deps;
  const logController = new RequestLogController();
  const respond = errorResponder(config.authErrors);
  const app = Fastify({
    loggerInstance: deps.logger,
    logController,
    routerOptions: {
      ignoreTrailingSlash: true,
      querystringParser: parseQuery,
      maxParamLength: MAX_PARAM_LENGTH,
    },
    // Every connection phase has a limit (README, settings): headers, the whole request, idle
    // while a request is in progress, keep-alive between requests.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.idleTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      // Node checks headersTimeout <= requestTimeout when the server is made.
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingInterval(config),
      // Checked by protocol-errors instead, which answers in the envelope.
      requireHostHeader: false,
    },
    // What Node and Fastify would answer in their own shapes goes through the one renderer.
    clientErrorHandler,
    frameworkErrors: (error, request, reply) => {
      // Fastify sets up no response listeners for these: the access line is written from here.
      reply.raw.once("finish", () => logController.requestCompleted(null, request, reply));
      return respond(error, request, reply);
    },
    return503OnClosing: false,
    ajv: {
      customOptions: {
        allErrors: true,
        // Query and path strings are converted by wire-tolerance, strictly; bodies are taken as sent.
        coerceTypes: false,
        useDefaults: true,
        removeAdditional: false,
        formats: OPENAPI_FORMATS,
        discriminator: true,
      },
      // @fastify/ajv-compiler adds ajv-formats after customOptions, and its int64 accepts any
      // integer: put back ours, which keep ids within JSON's safe range (WIRE-NOTES).
      onCreate: (ajv) => {
        for (const [name, format] of Object.entries(OPENAPI_FORMATS)) ajv.addFormat(name, format);
      },
    },
  });
  // Scenarios started through the sandbox API run against this server over HTTP. Closing aborts
  // them first, before protocol-errors refuses new requests: an aborted run still removes the
  // fault rules it made, through this server. Its runs are stamped in real time by the one clock.
  const scenarioRuns = new ScenarioRuns({ now: () => deps.clock.realNowMs() });
  app.addHook("preClose", () => scenarioRuns.close());
  await app.register(jsonBytes);
  await app.register(errorHandler, { authErrors: config.authErrors });
  await app.register(protocolErrors);
  await app.register(wireTolerance);
  await app.register(gracefulClose);
  await app.register(formbody);
  await app.register(routeTable);
  // Before every route: it learns each route's operationId as the route is made.
  await app.register(faults, {
    ctx: deps.ctx,
    rateLimitPerMinute: config.rateLimitPerMinute,
    requestLog: logController,
  });

  publicRoutes(app, deps.ctx);
  docsRoutes(app, deps.ctx);
  mediaRoutes(app, deps.ctx);
  token(app, deps.ctx);
  // The consent page: public, and its errors are HTML pages (routes/oauth/index.ts says why).
  await app.register(oauthRoutes, { ctx: deps.ctx });
  await app.register(messengerRoutes, { ctx: deps.ctx });
  await app.register(coreRoutes, {
    ctx: deps.ctx,
    rateLimitPerMinute: deps.config.rateLimitPerMinute,
  });
  consoleRoutes(app, {
    ctx: deps.ctx,
    adminToken: deps.adminToken,
    clock: deps.clock,
    secureCookie: config.publicUrl?.startsWith("https://") ?? false,
  });
  await app.register(sandboxRoutes, {
    prefix: "/sandbox/v1",
    ctx: deps.ctx,
    clock: deps.clock,
    adminToken: deps.adminToken,
    scenarioRuns,
  });
  return app;
}
