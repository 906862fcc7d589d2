// Builds the Fastify application: wire tolerance, the error handler, the request log, and the four
// route groups (public, token, messenger, sandbox). Nothing here listens or opens files.
import formbody from "@fastify/formbody";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { SandboxClock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { DomainContext } from "./domain/context.ts";
import { OPENAPI_FORMATS } from "./http/openapi/formats.ts";
import { errorHandler } from "./http/plugins/error-handler.ts";
import { gracefulClose } from "./http/plugins/graceful-close.ts";
import { RequestLogController } from "./http/plugins/request-log.ts";
import { parseQuery, wireTolerance } from "./http/plugins/wire-tolerance.ts";
import { mediaRoutes } from "./http/routes/media/index.ts";
import { messengerRoutes } from "./http/routes/messenger/index.ts";
import { publicRoutes } from "./http/routes/public/index.ts";
import { sandboxRoutes } from "./http/routes/sandbox/index.ts";
import { token } from "./http/routes/token/token.ts";

export interface AppDependencies {
  config: Config;
  ctx: DomainContext;
  clock: SandboxClock;
  adminToken: string;
  logger: FastifyBaseLogger;
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new RequestLogController(),
    routerOptions: { ignoreTrailingSlash: true, querystringParser: parseQuery },
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
  await app.register(errorHandler, { authErrors: deps.config.authErrors });
  await app.register(wireTolerance);
  await app.register(gracefulClose);
  await app.register(formbody);

  publicRoutes(app, deps.ctx);
  mediaRoutes(app, deps.ctx);
  token(app, deps.ctx);
  await app.register(messengerRoutes, {
    ctx: deps.ctx,
    rateLimitPerMinute: deps.config.rateLimitPerMinute,
  });
  await app.register(sandboxRoutes, {
    prefix: "/sandbox/v1",
    ctx: deps.ctx,
    clock: deps.clock,
    adminToken: deps.adminToken,
  });
  return app;
}
