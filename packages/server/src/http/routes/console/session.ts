// The console's sign-in: POST /console/session {"token": "<admin token>"} sets the session cookie
// (HttpOnly, SameSite=Strict, twelve hours), GET tells whether the cookie is live, DELETE signs out.
// Only the admin token opens the console; the cookie opens only the sandbox API (admin-auth.ts),
// never the messenger API, whose bearer-auth does not read cookies.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SandboxClock } from "../../../clock.ts";
import {
  CONSOLE_COOKIE,
  CONSOLE_SESSION_SECONDS,
  consoleSessionExpiry,
  isAdminToken,
  issueConsoleSession,
} from "../../../domain/console/session.ts";
import { BesedaError } from "../../../errors/beseda-error.ts";
import { cookieValue } from "../../cookies.ts";

function cookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const secure = request.protocol === "https" ? "; Secure" : "";
  return `${CONSOLE_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header("Cache-Control", "no-store");
}

export function consoleSession(
  app: FastifyInstance,
  options: { adminToken: string; clock: SandboxClock },
) {
  const { adminToken, clock } = options;

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
      if (!isAdminToken(adminToken, request.body.token))
        throw new BesedaError("admin_token_invalid");
      const session = issueConsoleSession(adminToken, clock.realNowMs());
      noStore(reply).header("Set-Cookie", cookie(request, session.value, CONSOLE_SESSION_SECONDS));
      return { signed_in: true, expires: session.expires };
    },
  });

  app.get("/console/session", async (request, reply) => {
    const session = cookieValue(request, CONSOLE_COOKIE);
    const expires = consoleSessionExpiry(adminToken, session, clock.realNowMs());
    if (expires === null) throw new BesedaError("admin_token_invalid");
    noStore(reply);
    return { signed_in: true, expires };
  });

  app.delete("/console/session", async (request, reply) => {
    noStore(reply).header("Set-Cookie", cookie(request, "", 0));
    return reply.code(204).send();
  });
}
