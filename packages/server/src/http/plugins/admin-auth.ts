// Guards the sandbox control API: "Authorization: Bearer <admin token>", compared in constant time,
// or the console's sign-in cookie. A cookie is sent by the browser on its own, so a request that
// changes something must also carry the X-Beseda-Console header: a page of another origin cannot
// add it without a CORS preflight, which Beseda never grants (another port of localhost is the
// same site, so SameSite alone would not stop it).
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { SandboxClock } from "../../clock.ts";
import {
  CONSOLE_COOKIE,
  consoleSessionExpiry,
  isAdminToken,
} from "../../domain/console/session.ts";
import type { DomainContext } from "../../domain/context.ts";
import { BesedaError } from "../../errors/beseda-error.ts";
import { cookieValue } from "../cookies.ts";
import { bearerToken } from "./bearer-auth.ts";

export const CONSOLE_HEADER = "x-beseda-console";

export const adminAuth = fp(
  async (
    app: FastifyInstance,
    options: { ctx: DomainContext; adminToken: string; clock: SandboxClock },
  ) => {
    const { ctx, adminToken, clock } = options;
    app.addHook("onRequest", async (request) => {
      const token = bearerToken(request);
      if (token !== null) {
        if (!isAdminToken(adminToken, token)) throw new BesedaError("admin_token_invalid");
        return;
      }
      const session = cookieValue(request, CONSOLE_COOKIE);
      const expires = await consoleSessionExpiry(
        ctx.store.db,
        adminToken,
        session,
        clock.realNowMs(),
      );
      if (expires === null) {
        throw new BesedaError("admin_token_invalid");
      }
      const safe = request.method === "GET" || request.method === "HEAD";
      if (!safe && request.headers[CONSOLE_HEADER] === undefined) {
        throw new BesedaError("console_header_missing");
      }
    });
  },
  { name: "admin-auth" },
);
