// The console's sign-in: POST /console/session {"token": "<admin token>"} starts a session and sets
// its cookie (HttpOnly, SameSite=Strict, twelve hours), GET tells whether the cookie's session is
// live, DELETE ends the session (for every copy of the cookie) and clears it. Only the admin token
// opens the console; the cookie opens only the sandbox API (admin-auth.ts), never the messenger
// API, whose bearer-auth does not read cookies.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SandboxClock } from "../../../clock.ts";
import {
  CONSOLE_COOKIE,
  CONSOLE_SESSION_SECONDS,
  consoleSessionExpiry,
  endConsoleSession,
  startConsoleSession,
} from "../../../domain/console/session.ts";
import type { DomainContext } from "../../../domain/context.ts";
import { BesedaError } from "../../../errors/beseda-error.ts";
import { cookieValue } from "../../cookies.ts";

/**
 * Where the browser sends the cookie: the sandbox API and the console's own session route, not
 * the whole host (a browser would hand it to every app on another port of localhost, the
 * integrator's own among them).
 */
const COOKIE_PATHS = ["/sandbox/v1", "/console"] as const;

export interface ConsoleSessionOptions {
  ctx: DomainContext;
  adminToken: string;
  clock: SandboxClock;
  /** Mark the cookie Secure: the public URL is https (behind a TLS proxy the request is http). */
  secureCookie: boolean;
}

function cookies(
  request: FastifyRequest,
  options: ConsoleSessionOptions,
  value: string,
  maxAgeSeconds: number,
): string[] {
  const secure = options.secureCookie || request.protocol === "https" ? "; Secure" : "";
  return COOKIE_PATHS.map(
    (path) =>
      `${CONSOLE_COOKIE}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`,
  );
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header("Cache-Control", "no-store");
}

export function consoleSession(app: FastifyInstance, options: ConsoleSessionOptions) {
  const { ctx, adminToken, clock } = options;

  app.route<{ Body: { token: string } }>({
    method: "POST",
    url: "/console/session",
    schema: {
      body: {
        type: "object",
        properties: { token: { type: "string", minLength: 1, maxLength: 1000 } },
        required: ["token"],
      },
    },
    handler: async (request, reply) => {
      const db = ctx.store.db;
      const session = await startConsoleSession(
        db,
        adminToken,
        request.body.token,
        clock.realNowMs(),
      );
      noStore(reply).header(
        "Set-Cookie",
        cookies(request, options, session.value, CONSOLE_SESSION_SECONDS),
      );
      return { signed_in: true, expires: session.expires };
    },
  });

  app.get("/console/session", async (request, reply) => {
    const value = cookieValue(request, CONSOLE_COOKIE);
    const expires = await consoleSessionExpiry(ctx.store.db, adminToken, value, clock.realNowMs());
    if (expires === null) throw new BesedaError("admin_token_invalid");
    noStore(reply);
    return { signed_in: true, expires };
  });

  app.delete("/console/session", async (request, reply) => {
    await endConsoleSession(ctx.store.db, cookieValue(request, CONSOLE_COOKIE));
    noStore(reply).header("Set-Cookie", cookies(request, options, "", 0));
    return reply.code(204).send();
  });
}
